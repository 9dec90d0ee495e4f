package nbtools

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxLoad is the largest file %load puts into a cell.
const MaxLoad = 1 << 20

// Dirs follows the working directory for %cd, remembering the previous
// one for "%cd -".
type Dirs struct {
	prev string
}

// Cd changes the process's working directory, as %cd does: no argument
// goes home, "-" goes back, a leading ~ is the home directory. It returns
// the new directory.
func (d *Dirs) Cd(arg string) (string, error) {
	arg = unquote(arg)
	switch {
	case arg == "":
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("%%cd: no home directory (%v): give a directory", err)
		}
		arg = home
	case arg == "-":
		if d.prev == "" {
			return "", errors.New("%cd -: there is no previous directory yet")
		}
		arg = d.prev
	case arg == "~" || strings.HasPrefix(arg, "~/"):
		if home, err := os.UserHomeDir(); err == nil {
			arg = filepath.Join(home, arg[1:])
		}
	}
	old, _ := os.Getwd()
	if err := os.Chdir(arg); err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return "", fmt.Errorf("%%cd %s: %v; %%pwd shows where you are", arg, err)
	}
	d.prev = old
	return os.Getwd()
}

// WriteFile implements %%writefile [-a] FILE: it writes (or with -a
// appends) body to FILE and says what it did, as IPython does.
func WriteFile(args, body string) (string, error) {
	appendTo := false
	name := ""
	for _, f := range fields(args) {
		switch {
		case f == "-a" || f == "--append":
			appendTo = true
		case strings.HasPrefix(f, "-") && name == "":
			return "", fmt.Errorf("%%%%writefile: unknown option %s; usage: %%%%writefile [-a] FILE", f)
		case name == "":
			name = f
		default:
			return "", fmt.Errorf("%%%%writefile: one file at a time (got %q and %q); quote a name with spaces", name, f)
		}
	}
	if name == "" {
		return "", errors.New("%%writefile needs a file name: %%writefile [-a] FILE, then the text on the next lines")
	}
	_, statErr := os.Stat(name)
	exists := statErr == nil
	flag := os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	if appendTo {
		flag = os.O_WRONLY | os.O_CREATE | os.O_APPEND
	}
	f, err := os.OpenFile(name, flag, 0o644)
	if err != nil {
		return "", fmt.Errorf("%%%%writefile: %v; check that the directory exists and you may write there", err)
	}
	if _, err := f.WriteString(body); err != nil {
		f.Close()
		return "", fmt.Errorf("%%%%writefile: writing %s: %v", name, err)
	}
	if err := f.Close(); err != nil {
		return "", fmt.Errorf("%%%%writefile: writing %s: %v", name, err)
	}
	switch {
	case appendTo:
		return "Appending to " + name + "\n", nil
	case exists:
		return "Overwriting " + name + "\n", nil
	}
	return "Writing " + name + "\n", nil
}

// Load reads the text file that %load FILE puts into the cell.
func Load(args string) (string, error) {
	name := unquote(args)
	if name == "" {
		return "", errors.New("%load needs a file name: %load FILE replaces the cell with the file's text")
	}
	info, err := os.Stat(name)
	switch {
	case err != nil:
		return "", fmt.Errorf("%%load: %v", err)
	case info.IsDir():
		return "", fmt.Errorf("%%load: %s is a directory; name a file", name)
	case info.Size() > MaxLoad:
		return "", fmt.Errorf("%%load: %s is %d bytes, more than the %d a cell takes; import it as a package or read it with os.ReadFile", name, info.Size(), MaxLoad)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return "", fmt.Errorf("%%load: %v", err)
	}
	if !utf8.Valid(b) || strings.ContainsRune(string(b), 0) {
		return "", fmt.Errorf("%%load: %s is not a text file", name)
	}
	return string(b), nil
}

// History formats cells, the session's inputs from input number first on
// (the earlier ones are no longer kept), for %history [-n] [N | N-M | -l N]:
// all of them, one input, a range, or the last N; -n numbers them.
func History(cells []string, first int, args string) (string, error) {
	numbered := false
	last := first + len(cells) - 1
	from, to := first, last
	fs := fields(args)
	for i := 0; i < len(fs); i++ {
		f := fs[i]
		switch {
		case f == "-n":
			numbered = true
		case f == "-l":
			if i+1 >= len(fs) {
				return "", errors.New("%history -l needs a count: %history -l 5 shows the last five inputs")
			}
			i++
			n, err := strconv.Atoi(fs[i])
			if err != nil || n < 0 {
				return "", fmt.Errorf("%%history -l %s: give a count such as 5", fs[i])
			}
			from = max(first, last-n+1)
		default:
			a, b, isRange := strings.Cut(f, "-")
			lo, err1 := strconv.Atoi(a)
			hi, err2 := lo, error(nil)
			if isRange {
				hi, err2 = strconv.Atoi(b)
			}
			if err1 != nil || err2 != nil || lo < 1 || hi < lo {
				return "", fmt.Errorf("%%history: %q is not an input number or range; usage: %%history [-n] [N | N-M | -l N]", f)
			}
			if hi < first {
				return "", fmt.Errorf("%%history: %s: the session keeps its inputs from number %d on; ask for %d or later", f, first, first)
			}
			from, to = max(lo, first), min(hi, last)
		}
	}
	var b strings.Builder
	for i := from; i <= to; i++ {
		c := strings.TrimRight(cells[i-first], "\n")
		if numbered {
			c = fmt.Sprintf("%4d: %s", i, strings.ReplaceAll(c, "\n", "\n      "))
		}
		b.WriteString(c + "\n")
	}
	return b.String(), nil
}

// fields splits magic arguments at spaces, keeping "quoted words" whole.
func fields(args string) []string {
	var out []string
	for args = strings.TrimSpace(args); args != ""; args = strings.TrimSpace(args) {
		if args[0] == '"' || args[0] == '\'' {
			if end := strings.IndexByte(args[1:], args[0]); end >= 0 {
				out = append(out, args[1:end+1])
				args = args[end+2:]
				continue
			}
		}
		f, rest, _ := strings.Cut(args, " ")
		out = append(out, f)
		args = rest
	}
	return out
}

// unquote removes the quotes around one argument.
func unquote(arg string) string {
	arg = strings.TrimSpace(arg)
	if len(arg) >= 2 && (arg[0] == '"' || arg[0] == '\'') && arg[len(arg)-1] == arg[0] {
		return arg[1 : len(arg)-1]
	}
	return arg
}
