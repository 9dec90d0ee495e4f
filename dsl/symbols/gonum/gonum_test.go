package gonum

import (
	"bytes"
	"os"
	"strings"
	"testing"

	"github.com/traefik/yaegi/extract"
)

// TestTablesFresh fails when a gonum version in go.mod changed and the
// tables were not regenerated (go generate ./dsl/symbols/gonum), and when
// the go:generate line and Packages disagree.
func TestTablesFresh(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks gonum and gonum/plot from source")
	}
	src, err := os.ReadFile("gonum.go")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "extract -name gonum "+strings.Join(Packages, " ")+"\n") {
		t.Error("the go:generate line of gonum.go does not list exactly Packages")
	}
	r := strings.NewReplacer("/", "-", ".", "_")
	for _, p := range Packages {
		var buf bytes.Buffer
		if _, err := (&extract.Extractor{Dest: "gonum"}).Extract(p, "", &buf); err != nil {
			t.Fatalf("extracting %s: %v", p, err)
		}
		name := r.Replace(p) + ".go"
		got, err := os.ReadFile(name)
		if err != nil {
			t.Fatalf("%v; run go generate ./dsl/symbols/gonum", err)
		}
		if !bytes.Equal(got, buf.Bytes()) {
			t.Errorf("%s is stale; run go generate ./dsl/symbols/gonum", name)
		}
		if _, ok := Symbols[p+"/"+pkgName(p)]; !ok {
			t.Errorf("no table for %s", p)
		}
	}
}

func pkgName(p string) string { return p[strings.LastIndex(p, "/")+1:] }
