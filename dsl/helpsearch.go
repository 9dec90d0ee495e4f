package dsl

import (
	"fmt"
	"path"
	"reflect"
	"sort"
	"strings"

	"github.com/traefik/yaegi/stdlib"

	"github.com/latent-ai/latent/dsl/docs"
	"github.com/latent-ai/latent/dsl/symbols"
	"github.com/latent-ai/latent/modules"
)

// maxHelpMatches bounds the list %help PART prints.
const maxHelpMatches = 60

// helpMatch is one symbol whose name contains the searched part.
type helpMatch struct {
	rank  int    // 0 exact name, 1 name prefix, 2 contains; +3 outside the notebook's own and preloaded names
	key   string // sort key: the qualified name
	line  string // what %help prints
	exact string // the name helpFor takes, for a single match
}

// helpSearch lists the symbols whose name contains part, ignoring case:
// the notebook's own declarations and variables, the preloaded packages,
// the standard library and imported modules, best matches first. A single
// match is shown in full.
func (s *Session) helpSearch(part string) (string, bool) {
	part = strings.TrimSpace(part)
	if pkg, ok := strings.CutSuffix(part, "."); ok {
		return s.packageHelp(pkg)
	}
	want := strings.ToLower(part)
	if want == "" {
		return "", false
	}
	rank := func(name string) int {
		n := strings.ToLower(name)
		switch {
		case n == want:
			return 0
		case strings.HasPrefix(n, want):
			return 1
		case strings.Contains(n, want):
			return 2
		}
		return -1
	}
	var ms []helpMatch
	for key := range s.declIdx {
		last := key[strings.LastIndex(key, ".")+1:]
		if r := rank(last); r >= 0 {
			ms = append(ms, helpMatch{r, key, "notebook: " + firstLine(s.decls[s.declIdx[key]].body), key})
		}
	}
	for name, v := range s.userVars() {
		if r := rank(name); r >= 0 {
			ms = append(ms, helpMatch{r, name, fmt.Sprintf("notebook: var %s %s", name, v.Type()), name})
		}
	}
	tables := []map[string]map[string]reflect.Value{symbols.Symbols, modules.Default().Symbols(), stdlib.Symbols}
	for i, table := range tables {
		for k, members := range table {
			p := path.Dir(k)
			pkg := path.Base(k)
			outside := 3
			if i == 0 && isPreImported(p) || i == 1 {
				outside = 0
			}
			for n := range members {
				if strings.HasPrefix(n, "_") {
					continue
				}
				if r := rank(n); r >= 0 {
					ms = append(ms, helpMatch{r + outside, pkg + "." + n, oneLine(p, pkg, n), pkg + "." + n})
				}
				if i == 0 {
					for _, m := range docs.Methods(p, n) {
						if r := rank(m); r >= 0 {
							ms = append(ms, helpMatch{r + outside, pkg + "." + n + "." + m, oneLine(p, pkg, n+"."+m), pkg + "." + n})
						}
					}
				}
			}
		}
	}
	if len(ms) == 0 {
		return "", false
	}
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].rank != ms[j].rank {
			return ms[i].rank < ms[j].rank
		}
		return ms[i].key < ms[j].key
	})
	if len(ms) == 1 {
		if text, ok := s.helpFor(ms[0].exact); ok {
			return ms[0].line + "\n\n" + text, true
		}
	}
	var b strings.Builder
	if len(ms) == 1 {
		fmt.Fprintf(&b, "1 name contains %q", part)
	} else {
		fmt.Fprintf(&b, "%d names contain %q", len(ms), part)
	}
	if len(ms) > maxHelpMatches {
		fmt.Fprintf(&b, " (the first %d shown; give more of the name to narrow it)", maxHelpMatches)
		ms = ms[:maxHelpMatches]
	}
	b.WriteString("; %help NAME shows one in full:\n")
	for _, m := range ms {
		b.WriteString(m.line + "\n")
	}
	return b.String(), true
}

// packageHelp lists the members of the package imported as pkg (%help
// uuid.), one line each.
func (s *Session) packageHelp(pkg string) (string, bool) {
	p, ok := s.aliases[pkg]
	if !ok {
		return "", false
	}
	for _, table := range []map[string]map[string]reflect.Value{symbols.Symbols, modules.Default().Symbols(), stdlib.Symbols} {
		for k, members := range table {
			if path.Dir(k) != p {
				continue
			}
			names := make([]string, 0, len(members))
			for n := range members {
				if !strings.HasPrefix(n, "_") {
					names = append(names, n)
				}
			}
			sort.Strings(names)
			var b strings.Builder
			fmt.Fprintf(&b, "package %s (import %q): %d names\n", pkg, p, len(names))
			for _, n := range names {
				b.WriteString(oneLine(p, path.Base(k), n) + "\n")
			}
			return b.String(), true
		}
	}
	return "", false
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSuffix(strings.TrimSpace(l), "{")
}
