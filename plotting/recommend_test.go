package plotting

import (
	"math"
	"strings"
	"testing"
)

// ratingMatrix returns a users×items matrix of ratings 1..5 from a rank-2
// taste model with about 40% of entries unrated (0), and a "reconstruction"
// that is the model's smooth prediction everywhere.
func ratingMatrix(users, items int) (ratings, predicted []float32) {
	ratings = make([]float32, users*items)
	predicted = make([]float32, users*items)
	for u := 0; u < users; u++ {
		for i := 0; i < items; i++ {
			taste := math.Sin(float64(u)*0.5)*math.Cos(float64(i)*0.3) + 0.5*math.Cos(float64(u+i)*0.2)
			p := 3 + 1.6*taste
			predicted[u*items+i] = float32(p)
			if (u*7+i*13)%10 < 6 {
				ratings[u*items+i] = float32(math.Max(1, math.Min(5, math.Round(p+0.4*math.Sin(float64(u*i))))))
			}
		}
	}
	return ratings, predicted
}

func TestRecommendGolden(t *testing.T) {
	r, p := ratingMatrix(20, 30)
	checkGolden(t, "ratings", Ratings(r, p, 20, 30))
}

func TestRatingsErrors(t *testing.T) {
	tests := []struct {
		name string
		fig  *Figure
		want string
	}{
		{"dims", Ratings(nil, nil, 0, 3), "dimensions"},
		{"size", Ratings(make([]float32, 5), make([]float32, 6), 2, 3), "want 2 users × 3 items"},
		{"unrated", Ratings(make([]float32, 6), make([]float32, 6), 2, 3), "no observed ratings"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.fig.Err(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Err() = %v, want it to mention %q", err, tt.want)
			}
		})
	}
}

func TestTopK(t *testing.T) {
	nan := float32(math.NaN())
	// 2 users × 4 items; user 0 rated item 1, user 1 rated items 0 and 3.
	ratings := []float32{0, 4, nan, 0, 5, 0, 0, 2}
	pred := []float32{
		3.5, 4.1, 4.9, 2.0,
		4.8, 1.5, 3.3, 2.1,
	}
	tab := TopK(ratings, pred, 2, 4, []string{"Alien", "Brazil", "Casablanca", "Dune <2021>"}, 2, nil)
	if err := tab.Err(); err != nil {
		t.Fatal(err)
	}
	wantText := `Top 2 recommendations per user (predicted rating; already-rated items left out)
user  rated  #1                 #2
0     1      Casablanca (4.90)  Alien (3.50)
1     2      Casablanca (3.30)  Brazil (1.50)`
	if got := tab.String(); got != wantText {
		t.Errorf("text:\n%s\nwant:\n%s", got, wantText)
	}
	b := tab.Render()
	h, _ := b.Data["text/html"].(string)
	if !strings.Contains(h, "<td>Casablanca (4.90)</td>") || !strings.Contains(h, "<th>#2</th>") {
		t.Errorf("HTML lacks the expected cells:\n%s", h)
	}
	// Names are escaped.
	tab = TopK(ratings, pred, 2, 4, []string{"A", "B", "C", "Dune <2021>"}, 4, []int{0})
	if h := tab.HTML(); !strings.Contains(h, "Dune &lt;2021&gt;") {
		t.Errorf("item name not escaped:\n%s", h)
	}
}

func TestTopKErrors(t *testing.T) {
	r, p := ratingMatrix(3, 4)
	tests := []struct {
		name string
		tab  *Table
		want string
	}{
		{"k", TopK(r, p, 3, 4, nil, 0, nil), "k = 0"},
		{"names", TopK(r, p, 3, 4, []string{"a"}, 2, nil), "item names"},
		{"user", TopK(r, p, 3, 4, nil, 2, []int{7}), "out of range"},
		{"size", TopK(r[:5], p, 3, 4, nil, 2, nil), "ratings has 5 values"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := tt.tab.Err(); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Err() = %v, want it to mention %q", err, tt.want)
			}
			if b := tt.tab.Render(); b.Data["text/html"] != nil {
				t.Error("a failed table renders HTML")
			}
		})
	}
}
