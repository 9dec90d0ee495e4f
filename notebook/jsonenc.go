package notebook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// encodeJSON writes v the way Python's json.dumps(v, indent=1,
// sort_keys=True, separators=(",", ": "), ensure_ascii=False) does, which is
// how nbformat writes notebooks: files written here are byte-identical to
// what nbformat would write for the same content. v is a tree of
// map[string]any, []any, string, json.Number, float64, int, bool and nil;
// other values are first passed through encoding/json.
func encodeJSON(buf *bytes.Buffer, v any, depth int) error {
	switch x := v.(type) {
	case nil:
		buf.WriteString("null")
	case bool:
		if x {
			buf.WriteString("true")
		} else {
			buf.WriteString("false")
		}
	case string:
		writeJSONString(buf, x)
	case json.Number:
		buf.WriteString(x.String())
	case int:
		buf.WriteString(strconv.Itoa(x))
	case float64:
		buf.WriteString(pythonFloat(x))
	case []string:
		items := make([]any, len(x))
		for i, s := range x {
			items[i] = s
		}
		return encodeJSON(buf, items, depth)
	case []any:
		if len(x) == 0 {
			buf.WriteString("[]")
			return nil
		}
		buf.WriteString("[")
		for i, item := range x {
			if i > 0 {
				buf.WriteString(",")
			}
			newline(buf, depth+1)
			if err := encodeJSON(buf, item, depth+1); err != nil {
				return err
			}
		}
		newline(buf, depth)
		buf.WriteString("]")
	case map[string]any:
		if len(x) == 0 {
			buf.WriteString("{}")
			return nil
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		buf.WriteString("{")
		for i, k := range keys {
			if i > 0 {
				buf.WriteString(",")
			}
			newline(buf, depth+1)
			writeJSONString(buf, k)
			buf.WriteString(": ")
			if err := encodeJSON(buf, x[k], depth+1); err != nil {
				return err
			}
		}
		newline(buf, depth)
		buf.WriteString("}")
	default:
		norm, err := normalizeJSON(v)
		if err != nil {
			return err
		}
		return encodeJSON(buf, norm, depth)
	}
	return nil
}

func newline(buf *bytes.Buffer, depth int) {
	buf.WriteByte('\n')
	for range depth {
		buf.WriteByte(' ')
	}
}

// normalizeJSON turns any value encoding/json can marshal into the generic
// tree encodeJSON writes (numbers kept as json.Number).
func normalizeJSON(v any) (any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, fmt.Errorf("cannot encode %T as JSON: %v", v, err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	if err := dec.Decode(&out); err != nil {
		return nil, fmt.Errorf("cannot encode %T as JSON: %v", v, err)
	}
	return out, nil
}

const hexDigits = "0123456789abcdef"

// writeJSONString escapes s as Python's json module does with
// ensure_ascii=False: only quotes, backslashes and control characters are
// escaped. Invalid UTF-8 becomes U+FFFD.
func writeJSONString(buf *bytes.Buffer, s string) {
	buf.WriteByte('"')
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch c {
			case '"':
				buf.WriteString(`\"`)
			case '\\':
				buf.WriteString(`\\`)
			case '\n':
				buf.WriteString(`\n`)
			case '\r':
				buf.WriteString(`\r`)
			case '\t':
				buf.WriteString(`\t`)
			case '\b':
				buf.WriteString(`\b`)
			case '\f':
				buf.WriteString(`\f`)
			default:
				if c < 0x20 {
					buf.WriteString(`\u00`)
					buf.WriteByte(hexDigits[c>>4])
					buf.WriteByte(hexDigits[c&0xf])
				} else {
					buf.WriteByte(c)
				}
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf.WriteString("\ufffd")
		} else {
			buf.WriteString(s[i : i+size])
		}
		i += size
	}
	buf.WriteByte('"')
}

// pythonFloat formats f as Python's repr does (shortest round-trip digits,
// a ".0" on integral values, an exponent below 1e-4 and from 1e16 on).
// Non-finite values, which JSON cannot carry, are written as null.
func pythonFloat(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "null"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // e.g. -1.2345e+06
	mant, expStr, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expStr)
	if exp < -4 || exp >= 16 {
		sign := "+"
		if exp < 0 {
			sign, exp = "-", -exp
		}
		return fmt.Sprintf("%se%s%02d", mant, sign, exp)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// splitLines splits s after each line boundary, keeping the boundaries, as
// Python's str.splitlines(True) does (nbformat uses it to write multi-line
// strings as lists of lines).
func splitLines(s string) []any {
	lines := []any{}
	start := 0
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		end := -1
		switch r {
		case '\r':
			end = i + 1
			if i+1 < len(s) && s[i+1] == '\n' {
				end = i + 2
			}
		case '\n', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
			end = i + size
		}
		if end < 0 {
			i += size
			continue
		}
		lines = append(lines, s[start:end])
		start, i = end, end
	}
	if start < len(s) {
		lines = append(lines, s[start:])
	}
	return lines
}
