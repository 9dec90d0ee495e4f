package dsl

import "testing"

// TestNestedDefines covers declarations inside blocks nested in a cell's
// top level, which yaegi v0.16.1 gets wrong unless the session rewrites
// them, and statements that must not run again in later cells.
func TestNestedDefines(t *testing.T) {
	const divmod = "func divmod(x, y int) (int, int) { return x / y, x % y }\nfunc three() (int, int, int) { return 1, 2, 3 }"
	cases := []struct {
		name  string
		steps []step
	}{
		{"two-value := in a for", []step{
			{code: divmod},
			{code: "for i := 0; i < 3; i++ {\n\ta, b := divmod(i+7, 3)\n\tfmt.Println(a, b)\n}", stdout: "2 1\n2 2\n3 0\n"},
			{code: "z := 1", absent: "2 1"},
		}},
		{"func defined in the same cell", []step{
			{code: divmod + "\nfor i := 0; i < 2; i++ {\n\ta, b := divmod(i+7, 3)\n\tfmt.Println(a, b)\n}", stdout: "2 1\n2 2\n"},
		}},
		{"two-value := in an if", []step{
			{code: divmod},
			{code: "if true { a, b := divmod(7, 3); fmt.Println(a, b) }", stdout: "2 1\n"},
			{code: "z := 1", absent: "2 1"},
		}},
		{"three values and a blank", []step{
			{code: divmod},
			{code: "for i := 0; i < 1; i++ { a, b, c := three(); _, d := divmod(9, 4); fmt.Println(a, b, c, d) }", stdout: "1 2 3 1\n"},
		}},
		{"comma-ok forms", []step{
			{code: "m := map[string]int{\"k\": 4}\nvar e any = 2.5\nch := make(chan int, 1)\nch <- 9"},
			{code: "if len(m) > 0 {\n\tv, ok := m[\"k\"]\n\tf, isF := e.(float64)\n\tr, open := <-ch\n\tfmt.Println(v, ok, f, isF, r, open)\n}", stdout: "4 true 2.5 true 9 true\n"},
		}},
		{"var with two names", []step{
			{code: divmod},
			{code: "for i := 0; i < 1; i++ { var q, r = divmod(8, 3); fmt.Println(q, r) }", stdout: "2 2\n"},
		}},
		{"switch, select, range and block bodies", []step{
			{code: divmod + "\nxs := []int{7, 8}\nch := make(chan int, 1)\nch <- 10"},
			{code: "switch len(xs) {\ncase 2:\n\ta, b := divmod(xs[0], 3)\n\tfmt.Println(\"sw\", a, b)\n}", stdout: "sw 2 1\n"},
			{code: "select {\ncase v := <-ch:\n\ta, b := divmod(v, 3)\n\tfmt.Println(\"sel\", a, b)\n}", stdout: "sel 3 1\n"},
			{code: "for _, x := range xs {\n\ta, b := divmod(x, 3)\n\tfmt.Println(\"rng\", a, b)\n}", stdout: "rng 2 1\nrng 2 2\n"},
			{code: "{\n\ta, b := divmod(5, 3)\n\tfmt.Println(\"blk\", a, b)\n}", stdout: "blk 1 2\n"},
			{code: "var e any = 3\nswitch v := e.(type) {\ncase int:\n\ta, b := divmod(v, 2)\n\tfmt.Println(\"ts\", a, b)\n}", stdout: "ts 1 1\n"},
		}},
		{"break, continue and labels inside", []step{
			{code: divmod},
			{code: "n := 0\nouter:\nfor i := 0; i < 5; i++ {\n\tfor j := 0; j < 5; j++ {\n\t\ta, _ := divmod(i, 1)\n\t\tif a == 3 { break outer }\n\t\tif j > 0 { continue outer }\n\t\tn++\n\t}\n}\nn", result: "3"},
		}},
		{"globals set inside", []step{
			{code: divmod + "\ntotal := 0"},
			{code: "for i := 0; i < 3; i++ { q, r := divmod(i+7, 3); total += q + r }\ntotal", result: "10"},
			{code: "total", result: "10"},
		}},
		{"called func literal runs once", []step{
			{code: "func() { fmt.Println(\"once\") }()"},
			{code: "z := 1", absent: "once"},
			{code: "y := 2\nfunc() { fmt.Println(\"twice\") }()\nw := 3", stdout: "twice"},
			{code: "v := 1", absent: "twice"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runSteps(t, newSession(t), c.steps)
		})
	}
}
