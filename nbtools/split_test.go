package nbtools

import (
	"reflect"
	"strings"
	"testing"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name  string
		code  string
		ok    bool
		parts []Part
	}{
		{"plain Go", "x := 1\nx + 1", false, nil},
		{"shell line", "!ls -l", true, []Part{{Kind: KindShell, Line: 1, Text: "ls -l"}}},
		{"Go around a shell line", "x := 1\n!echo hi\nx", true, []Part{
			{Kind: KindGo, Line: 1, Text: "x := 1\n"},
			{Kind: KindShell, Line: 2, Text: "echo hi"},
			{Kind: KindGo, Line: 3, Text: "\n\nx"}}},
		{"cell magic after a comment", "// build it\n%%bash\necho hi\n", true, []Part{
			{Kind: KindCell, Line: 2, Name: "bash", Body: "echo hi\n"}}},
		{"cell magic with args", "%%writefile -a out.txt\nline\n", true, []Part{
			{Kind: KindCell, Line: 1, Name: "writefile", Args: "-a out.txt", Body: "line\n"}}},
		{"line magic after a comment", "// where am I\n%pwd", true, []Part{{Kind: KindLine, Line: 2, Name: "pwd"}}},
		{"line magic then Go", "%cd /tmp\nfmt.Println(1)", true, []Part{
			{Kind: KindLine, Line: 1, Name: "cd", Args: "/tmp"},
			{Kind: KindGo, Line: 2, Text: "\nfmt.Println(1)"}}},
		{"indented ! is Go", "if x &&\n\t!y {\n}", false, nil},
		{"!= at column 0 is Go", "a := b\n!= c", false, nil},
		{"raw string holds magic-looking lines", "s := `\n%cd /\n!rm x\n`", false, nil},
		{"block comment holds them", "/*\n%%bash\n*/\nx := 1", false, nil},
		{"% followed by a digit is Go", "x := 7\n%2", false, nil},
		{"help", "ae.Fit?", true, []Part{{Kind: KindHelp, Line: 1, Text: "ae.Fit"}}},
		{"help detail", "// look\n  strings.Fields??  \n", true, []Part{{Kind: KindHelp, Line: 2, Text: "strings.Fields", Detail: 1}}},
		{"prefix help", "?x", true, []Part{{Kind: KindHelp, Line: 1, Text: "x"}}},
		{"question mark inside code is Go", "x := 1\nx?", false, nil},
		{"not a name", "1+2?", false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parts, ok, err := Split(tt.code)
			if err != nil {
				t.Fatal(err)
			}
			if ok != tt.ok || !reflect.DeepEqual(parts, tt.parts) {
				t.Errorf("Split(%q) = %+v, %v; want %+v, %v", tt.code, parts, ok, tt.parts, tt.ok)
			}
		})
	}
}

func TestSplitLateCellMagic(t *testing.T) {
	_, _, err := Split("x := 1\n%%bash\necho hi")
	if err == nil || !strings.Contains(err.Error(), "must start the cell") {
		t.Fatalf("a cell magic after code: err = %v, want one saying it must start the cell", err)
	}
}
