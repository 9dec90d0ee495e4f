package kernel

import (
	"encoding/json"
	"regexp"
	"strings"
	"sync"
)

// historySession is the session number of the running kernel in history
// replies. History lives in memory for the life of the process.
const historySession = 1

// Bounds on what history keeps, so that memory stays flat in long sessions.
const (
	maxHistory       = 10000
	maxHistoryOutput = 16 << 10
)

type historyEntry struct {
	line          int
	input, output string
}

// history is the record of stored cells, oldest first.
type history struct {
	mu      sync.Mutex
	entries []historyEntry
}

func (h *history) add(line int, input, output string) {
	if len(output) > maxHistoryOutput {
		// A copy: the prefix alone would keep the whole output alive.
		output = strings.Clone(strings.ToValidUTF8(output[:maxHistoryOutput], ""))
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.entries) >= maxHistory {
		n := copy(h.entries, h.entries[len(h.entries)-maxHistory+1:])
		h.entries = h.entries[:n]
	}
	h.entries = append(h.entries, historyEntry{line, input, output})
}

type historyRequest struct {
	Output  bool   `json:"output"`
	Raw     bool   `json:"raw"`
	Access  string `json:"hist_access_type"`
	Session int    `json:"session"`
	Start   int    `json:"start"`
	Stop    *int   `json:"stop"`
	N       *int   `json:"n"`
	Pattern string `json:"pattern"`
	Unique  bool   `json:"unique"`
}

// query answers a history_request: tail (the last n), range (lines
// start <= line < stop of a session; 0 or a negative number means the
// current one) and search (a glob pattern with * ? and [...], matched
// against the whole input, the last n matches, optionally unique).
func (h *history) query(r historyRequest) ([]any, error) {
	h.mu.Lock()
	all := append([]historyEntry(nil), h.entries...)
	h.mu.Unlock()
	var sel []historyEntry
	switch r.Access {
	case "tail":
		sel = last(all, r.N, 10)
	case "range":
		if r.Session > 0 && r.Session != historySession {
			break
		}
		for _, e := range all {
			if e.line >= r.Start && (r.Stop == nil || *r.Stop <= 0 || e.line < *r.Stop) {
				sel = append(sel, e)
			}
		}
	case "search":
		pat := r.Pattern
		if pat == "" {
			pat = "*"
		}
		re, err := globRegexp(pat)
		if err != nil {
			return nil, err
		}
		var matched []historyEntry
		for _, e := range all {
			if re.MatchString(e.input) {
				matched = append(matched, e)
			}
		}
		if r.Unique {
			seen := map[string]bool{}
			var uniq []historyEntry
			for i := len(matched) - 1; i >= 0; i-- {
				if !seen[matched[i].input] {
					seen[matched[i].input] = true
					uniq = append(uniq, matched[i])
				}
			}
			for i, j := 0, len(uniq)-1; i < j; i, j = i+1, j-1 {
				uniq[i], uniq[j] = uniq[j], uniq[i]
			}
			matched = uniq
		}
		sel = last(matched, r.N, -1)
	default:
		return nil, &requestError{"hist_access_type must be tail, range or search, not " + strconvQuote(r.Access)}
	}
	out := make([]any, 0, len(sel))
	for _, e := range sel {
		if r.Output {
			var o any
			if e.output != "" {
				o = e.output
			}
			out = append(out, []any{historySession, e.line, []any{e.input, o}})
		} else {
			out = append(out, []any{historySession, e.line, e.input})
		}
	}
	return out, nil
}

// last returns the last n entries; a missing n means def (negative: all).
func last(es []historyEntry, n *int, def int) []historyEntry {
	k := def
	if n != nil {
		k = *n
	}
	if k < 0 || k >= len(es) {
		return es
	}
	return es[len(es)-k:]
}

type requestError struct{ msg string }

func (e *requestError) Error() string { return e.msg }

func strconvQuote(s string) string { b, _ := json.Marshal(s); return string(b) }

// globRegexp turns a glob (as SQLite's GLOB and IPython's history search
// use) into an anchored regular expression.
func globRegexp(glob string) (*regexp.Regexp, error) {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	rs := []rune(glob)
	for i := 0; i < len(rs); i++ {
		switch c := rs[i]; c {
		case '*':
			b.WriteString(`.*`)
		case '?':
			b.WriteString(`.`)
		case '[':
			j := i + 1
			if j < len(rs) && rs[j] == '^' {
				j++
			}
			if j < len(rs) && rs[j] == ']' {
				j++
			}
			for j < len(rs) && rs[j] != ']' {
				j++
			}
			if j >= len(rs) {
				b.WriteString(regexp.QuoteMeta(string(c)))
				continue
			}
			class := string(rs[i+1 : j])
			if strings.HasPrefix(class, "^") {
				class = "^" + strings.ReplaceAll(class[1:], `\`, `\\`)
			} else {
				class = strings.ReplaceAll(class, `\`, `\\`)
			}
			b.WriteString("[" + class + "]")
			i = j
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString(`$`)
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, &requestError{"bad history search pattern " + strconvQuote(glob) + ": " + err.Error()}
	}
	return re, nil
}

func (k *Kernel) historyRequest(m *Message) {
	var req historyRequest
	if err := json.Unmarshal(m.Content, &req); err != nil {
		k.badRequest(m, err)
		return
	}
	h, err := k.history.query(req)
	if err != nil {
		k.answer(m, "history_reply", errorContent("BadRequest", err.Error(), nil))
		return
	}
	k.answer(m, "history_reply", map[string]any{"status": "ok", "history": h})
}
