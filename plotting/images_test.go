package plotting

import "testing"

// TestValueRange: a grid with a row of images in [0,1] is drawn on [0,1]
// (a noisy input past it is clipped, so black stays black in the other
// rows); a grid of other data shares its min..max.
func TestValueRange(t *testing.T) {
	for _, c := range []struct {
		name   string
		rows   [][]float32
		lo, hi float32
	}{
		{"images", [][]float32{{0, 0.5, 1}, {0.1, 0.9, 1.01}}, 0, 1},
		{"a noisy row beside clean images", [][]float32{{-0.6, 0.4, 1.5}, {0, 0.5, 1}}, 0, 1},
		{"standardised data", [][]float32{{-2, 0, 3}, {-1, 1, 2}}, -2, 3},
		{"constant", [][]float32{{5, 5}}, 4, 6},
	} {
		rows := make([]ImageRow, len(c.rows))
		for i, p := range c.rows {
			rows[i] = ImageRow{Pixels: p}
		}
		if lo, hi := valueRange(rows); lo != c.lo || hi != c.hi {
			t.Errorf("%s: [%v, %v], want [%v, %v]", c.name, lo, hi, c.lo, c.hi)
		}
	}
}
