package dsl_test

import (
	"context"
	"fmt"

	"github.com/latent-ai/latent/display"
	"github.com/latent-ai/latent/dsl"
)

// printSink prints streams and the plain form of displays.
type printSink struct{}

func (printSink) Stream(name, text string) { fmt.Print(text) }
func (printSink) Display(b display.Bundle, update bool) {
	fmt.Println("display:", b.Data["text/plain"])
}
func (printSink) Clear(bool)                         {}
func (printSink) Input(string, bool) (string, error) { return "", display.ErrNoStdin }

// A session keeps state across cells; a cell's last expression is its
// result, and a redefined function is seen by its earlier callers.
func ExampleSession() {
	s, err := dsl.New()
	if err != nil {
		panic(err)
	}
	defer s.Close()
	ctx := context.Background()
	cells := []string{
		"func unit() string { return \"cm\" }\nfunc show(v int) string { return fmt.Sprint(v, unit()) }\nsize := 3",
		"fmt.Println(\"printed\")\nshow(size)",
		"func unit() string { return \"mm\" }",
		"show(size * 10)",
		"size +",
	}
	for _, c := range cells {
		res, err := s.Execute(ctx, c, printSink{})
		switch {
		case err != nil:
			fmt.Println("error:", err)
		case res != nil:
			fmt.Println("result:", res.Data["text/plain"])
		}
	}
	// Output:
	// printed
	// result: 3cm
	// result: 30mm
	// error: SyntaxError: line 1:7: unexpected end of the cell: a statement or expression is not finished
}

// Complete and IsComplete answer a frontend while the user types.
func ExampleSession_Complete() {
	s, _ := dsl.New()
	defer s.Close()
	matches, start, end := s.Complete("ae.Dens", 7)
	fmt.Println(matches, start, end)
	fmt.Println(s.IsComplete("for i := 0; i < 3; i++ {"))
	// Output:
	// [Dense] 3 7
	// incomplete
}
