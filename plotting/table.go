package plotting

import (
	"errors"
	"fmt"
	"html"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/latent-ai/latent/display"
)

// Table is a small table of text: shown as an HTML table in notebooks and
// as aligned columns in plain text. A table built from bad input carries
// the error, which Err returns and Render shows.
type Table struct {
	Caption string
	Header  []string
	Rows    [][]string
	err     error
}

// Err returns the error that stopped the table from being built, or nil.
func (t *Table) Err() error { return t.err }

// HTML returns the table as an HTML fragment; all text is escaped.
func (t *Table) HTML() string {
	if t.err != nil {
		return "<pre>" + html.EscapeString(t.err.Error()) + "</pre>"
	}
	var b strings.Builder
	b.WriteString("<table>\n")
	if t.Caption != "" {
		fmt.Fprintf(&b, "<caption>%s</caption>\n", html.EscapeString(t.Caption))
	}
	if len(t.Header) > 0 {
		b.WriteString("<thead><tr>")
		for _, h := range t.Header {
			fmt.Fprintf(&b, "<th>%s</th>", html.EscapeString(h))
		}
		b.WriteString("</tr></thead>\n")
	}
	b.WriteString("<tbody>\n")
	for _, r := range t.Rows {
		b.WriteString("<tr>")
		for _, c := range r {
			fmt.Fprintf(&b, "<td>%s</td>", html.EscapeString(c))
		}
		b.WriteString("</tr>\n")
	}
	b.WriteString("</tbody>\n</table>")
	return b.String()
}

// String returns the table as plain text with aligned columns.
func (t *Table) String() string {
	if t.err != nil {
		return t.err.Error()
	}
	var widths []int
	all := append([][]string{t.Header}, t.Rows...)
	for _, r := range all {
		for j, c := range r {
			if j >= len(widths) {
				widths = append(widths, 0)
			}
			widths[j] = max(widths[j], utf8.RuneCountInString(c))
		}
	}
	var b strings.Builder
	if t.Caption != "" {
		b.WriteString(t.Caption + "\n")
	}
	line := func(r []string) {
		for j, c := range r {
			if j > 0 {
				b.WriteString("  ")
			}
			b.WriteString(c)
			if j < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[j]-utf8.RuneCountInString(c)))
			}
		}
		b.WriteString("\n")
	}
	if len(t.Header) > 0 {
		line(t.Header)
	}
	for _, r := range t.Rows {
		line(r)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// Render implements display.Renderer: HTML with a plain-text alternative.
func (t *Table) Render() display.Bundle {
	if t.err != nil {
		return display.Text(t.err.Error())
	}
	b := display.HTML(t.HTML())
	b.Data["text/plain"] = t.String()
	return b
}

// TopK makes a table of the k items with the highest predicted rating for
// each user in forUsers (nil: the first 10 users), leaving out items the
// user has already rated (ratings is NaN or 0 for unrated entries, as in
// Ratings). itemNames names the items (nil: "item 12"). Ties are broken by
// item index, so the table is deterministic.
func TopK(ratings, predicted []float32, users, items int, itemNames []string, k int, forUsers []int) *Table {
	fail := func(err error) *Table { return &Table{err: fmt.Errorf("plotting: top-K table: %w", err)} }
	if err := checkMatrix("ratings", ratings, users, items); err != nil {
		return fail(err)
	}
	if err := checkMatrix("predicted", predicted, users, items); err != nil {
		return fail(err)
	}
	if k <= 0 {
		return fail(fmt.Errorf("k = %d; pass how many recommendations to list per user", k))
	}
	if itemNames != nil && len(itemNames) != items {
		return fail(fmt.Errorf("%d item names for %d items; pass one name per item or nil", len(itemNames), items))
	}
	if forUsers == nil {
		for u := 0; u < min(users, 10); u++ {
			forUsers = append(forUsers, u)
		}
	}
	if len(forUsers) == 0 {
		return fail(errors.New("no users to list; pass user indices or nil for the first ten"))
	}
	name := func(i int) string {
		if itemNames != nil {
			return itemNames[i]
		}
		return "item " + strconv.Itoa(i)
	}
	t := &Table{
		Caption: fmt.Sprintf("Top %d recommendations per user (predicted rating; already-rated items left out)", k),
		Header:  []string{"user", "rated"},
	}
	for j := 1; j <= k; j++ {
		t.Header = append(t.Header, "#"+strconv.Itoa(j))
	}
	for _, u := range forUsers {
		if u < 0 || u >= users {
			return fail(fmt.Errorf("user %d is out of range 0..%d", u, users-1))
		}
		var cand []int
		rated := 0
		for i := 0; i < items; i++ {
			if !missing(ratings[u*items+i]) {
				rated++
				continue
			}
			if p := predicted[u*items+i]; p == p {
				cand = append(cand, i)
			}
		}
		sort.SliceStable(cand, func(a, b int) bool {
			return predicted[u*items+cand[a]] > predicted[u*items+cand[b]]
		})
		row := []string{strconv.Itoa(u), strconv.Itoa(rated)}
		for j := 0; j < k; j++ {
			if j < len(cand) {
				i := cand[j]
				row = append(row, fmt.Sprintf("%s (%.2f)", name(i), predicted[u*items+i]))
			} else {
				row = append(row, "")
			}
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
