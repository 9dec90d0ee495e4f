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
		{"in for, if and switch headers", []step{
			{code: divmod},
			{code: "for a, b := divmod(7, 3); a < 4; a++ { fmt.Println(\"for\", a, b) }", stdout: "for 2 1\nfor 3 1\n"},
			{code: "if a, b := divmod(7, 3); a > b { fmt.Println(\"if\", a, b) }", stdout: "if 2 1\n"},
			{code: "switch a, b := divmod(7, 3); {\ncase a > b:\n\tfmt.Println(\"switch\", a, b)\n}", stdout: "switch 2 1\n"},
			{code: "a", ename: "CompileError", evalue: "undefined: a"},
		}},
		{"with other rewrites", []step{
			{code: divmod},
			{code: "for i := range 2 { a, b := divmod(i+7, 3); defer fmt.Println(\"deferred\", a, b); fmt.Println(min(a, b)) }\nfmt.Println(\"end\")", stdout: "1\n2\nend\ndeferred 2 2\ndeferred 2 1\n"},
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
		{"a top-level return ends the cell", []step{
			{code: divmod + "\nn := 0"},
			{code: "fmt.Println(\"a\")\nreturn\nfmt.Println(\"b\")", stdout: "a\n", absent: "b"},
			{code: "for i := 0; i < 5; i++ {\n\tq, r := divmod(i, 2)\n\tif q == 1 { fmt.Println(\"stop\", i, r); return }\n\tn++\n}\nfmt.Println(\"after\")", stdout: "stop 2 0\n", absent: "after"},
			{code: "n", result: "2"},
			{code: "if n > 5 { return }\nws := []string{\"w\"}\nw := ws[0]\nw", result: "w"},
			{code: "defer fmt.Println(\"deferred\")\nif n == 2 { return }\nfmt.Println(\"not here\")", stdout: "deferred\n", absent: "not here"},
			{code: "f := func() int { return 3 }\nf()", result: "3"},
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

// TestIndexDefines covers top-level := from index expressions on values of
// compiled types, which yaegi v0.16.1 cannot type at a cell's top level
// ("constant definition loop", or a crash for a nested index).
func TestIndexDefines(t *testing.T) {
	const hist = "h := &ae.History{Metrics: map[string][]float64{\"a\": {1, 2, 3}}}"
	cases := []struct {
		name  string
		steps []step
	}{
		{"element of a slice a method returns", []step{
			{code: "m := ae.Dense(8, 4)"},
			{code: "p := m.Params()[0]"},
			{code: "p.Name", result: "enc1.w"},
			{code: "fmt.Println(len(m.Params()) > 1, p == m.Params()[0])", stdout: "true true\n"},
		}},
		{"map field of a compiled struct", []step{
			{code: hist},
			{code: "c := h.Metrics[\"a\"]"},
			{code: "len(c)", result: "3"},
			{code: "x := h.Metrics[\"a\"][len(h.Metrics[\"a\"])-1]"},
			{code: "x * 2", result: "6"},
			{code: "v, ok := h.Metrics[\"b\"]\nfmt.Println(v == nil, ok)", stdout: "true false\n"},
		}},
		{"errors stay the user's", []step{
			{code: "w := nosuchpkg.Fields(\"a\")[0]", ename: "CompileError", evalue: "undefined: nosuchpkg"},
			{code: "w := nosuch[0]", ename: "CompileError", evalue: "undefined: nosuch"},
			{code: "xs := []int{3}\nf := []func([]int) int{func(v []int) int { return v[0] }}[0]\nf(xs)", result: "3"},
		}},
		{"standard library results", []step{
			{code: "import \"strings\"\nw := strings.Fields(\"to be or\")[2]\nw", result: "or"},
			{code: "import \"strings\"\nws := strings.Fields(\"a b\")"},
			{code: "first := ws[0]\nlast := ws[len(ws)-1]\nfirst + last", result: "ab"},
			{code: "b := []byte(\"hi\")[1]\nb", result: "105"},
		}},
		{"plain interpreted values", []step{
			{code: "mm := map[string][]float64{\"a\": {1, 2}}"},
			{code: "c := mm[\"a\"]\nx := mm[\"a\"][len(mm[\"a\"])-1]\nfmt.Println(c, x)", stdout: "[1 2] 2\n"},
			{code: "type Item struct{ N int }\nitems := []Item{{4}, {5}}"},
			{code: "it := items[1]\nit.N", result: "5"},
			{code: "it = Item{6}\nit.N", result: "6"},
		}},
		{"several names, blanks and order", []step{
			{code: "import \"strings\"\nws := strings.Fields(\"p q r\")"},
			{code: "fmt.Print(\"before \")\na, _, c := ws[0], ws[1], ws[2]\nfmt.Print(\"after \")\na + c", result: "pr", stdout: "before after "},
			{code: "a + c", result: "pr"},
		}},
		{"redefinition with another type", []step{
			{code: "import \"strings\"\nws := strings.Fields(\"p q\")\nn := []int{7}"},
			{code: "v := ws[0]\nv", result: "p"},
			{code: "v := n[0]\nv + 1", result: "8"},
		}},
		{"runtime panic in the right-hand side", []step{
			{code: "import \"strings\"\nws := strings.Fields(\"p\")"},
			{code: "v := ws[3]", ename: "runtime error", evalue: "index out of range"},
			{code: "ok := ws[0]\nok", result: "p"},
		}},
		{"an element keeps its static interface type", []step{
			{code: "import \"os\"\nds, err := os.ReadDir(\".\")\nlen(ds) > 0 && err == nil", result: "true"},
			{code: "d := ds[0]\nfmt.Printf(\"%T\\n\", &d)", stdout: "*fs.DirEntry\n"},
			{code: "d = nil\nd == nil", result: "true"},
		}},
		{"index on a value carried through a rebuild", []step{
			{code: "import \"strings\"\nws := strings.Fields(\"p q\")\nfunc f() int { return 1 }"},
			{code: "func f() int { return 2 }"},
			{code: "w := ws[1]\nw + fmt.Sprint(f())", result: "q2"},
		}},
		{"values survive a rebuild", []step{
			{code: "import \"strings\"\nfunc f() int { return 1 }\nws := strings.Fields(\"p q\")\nw := ws[1]"},
			{code: "func f() int { return 2 }"},
			{code: "w + fmt.Sprint(f())", result: "q2"},
		}},
		{"var declarations", []step{
			{code: "m := ae.Dense(8, 4)\nws := []string{\"p\", \"q\"}"},
			{code: "var p = m.Params()[0]\np.Name", result: "enc1.w"},
			{code: "var (\n\tv1 = ws[1]\n\tv2 = 3\n)\nfmt.Println(v1, v2)", stdout: "q 3\n"},
			{code: "var e any = m.Params()[1]\nvar f float64 = 2\nvar g any = m\nfmt.Printf(\"%T %T %T\\n\", e, f, g)", stdout: "*nn.Param float64 *ae.Model\n"},
			{code: "e = 1\ng = \"s\"\nfmt.Println(e, g)", stdout: "1 s\n"},
		}},
		{"comma-ok at the top level", []step{
			{code: "var e any = 7\nch := make(chan int, 1)\nch <- 5\nm := ae.Dense(8, 4)\nvar em any = m"},
			{code: "v, ok := e.(int)\nw, no := e.(string)\nr, open := <-ch\nmm, isM := em.(*ae.Model)\nfmt.Println(v, ok, w == \"\", no, r, open, mm == m, isM)", stdout: "7 true true false 5 true true true\n"},
			{code: "v + r", result: "12"},
			{code: "type Item struct{ N int }\nfunc (i Item) Twice() int { return 2 * i.N }\nci := make(chan Item, 1)\nci <- Item{4}"},
			{code: "it, got := <-ci\nfmt.Println(it.Twice(), got)\nit = Item{5}\nit.N", result: "5", stdout: "8 true\n"},
		}},
		{"generic instantiations are not indexes", []step{
			{code: "type Box[T any] struct{ V T }\nfunc pair[T any](v T) []T { return []T{v, v} }"},
			{code: "b := Box[int]{V: 3}\nf := pair[string]\nn := len(f(\"x\"))\nb.V + n", result: "5"},
		}},
		{"inside blocks and function literals it needs nothing", []step{
			{code: "import \"strings\"\nws := strings.Fields(\"p q\")"},
			{code: "if true { v := ws[1]; fmt.Println(v) }\nfunc() { v := ws[0]; fmt.Println(v) }()", stdout: "q\np\n"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			runSteps(t, newSession(t), c.steps)
		})
	}
}
