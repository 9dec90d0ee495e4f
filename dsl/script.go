package dsl

import (
	"regexp"
	"strings"
)

var (
	packageClause = regexp.MustCompile(`(?m)^package[ \t]+\w+[ \t]*$`)
	mainFunc      = regexp.MustCompile(`(?m)^func\s+main\s*\(\s*\)`)
)

// ScriptCell turns a Go program (a main package) into one cell that runs
// it, for `latent script`: the package clause is blanked (lines keep their
// numbers) and func main is renamed and called at the end.
func ScriptCell(src string) string {
	if loc := packageClause.FindStringIndex(src); loc != nil {
		src = src[:loc[0]] + strings.Repeat(" ", loc[1]-loc[0]) + src[loc[1]:]
	}
	if mainFunc.MatchString(src) {
		src = mainFunc.ReplaceAllString(src, "func scriptMain()")
		src += "\nscriptMain()\n"
	}
	return src
}
