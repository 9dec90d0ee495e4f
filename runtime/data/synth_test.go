package data

import (
	"math"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"gonum.org/v1/gonum/mat"
)

func TestRatings(t *testing.T) {
	cases := []struct {
		users, items, rank int
		density            float64
	}{
		{200, 100, 5, 0.1},
		{30, 500, 2, 0.02},
		{5, 4, 1, 1},
	}
	for _, c := range cases {
		r := Ratings(c.users, c.items, c.rank, c.density, 42)
		if again := Ratings(c.users, c.items, c.rank, c.density, 42); !cmp.Equal(r, again) {
			t.Fatal("same seed, different ratings")
		}
		observed := 0
		for k, v := range r.Ratings {
			obs := r.Train[k] || r.Test[k]
			if r.Train[k] && r.Test[k] {
				t.Fatalf("entry %d both train and test", k)
			}
			if obs != (v != 0) || (obs && (v < 1 || v > 5 || v != float32(math.Round(float64(v))))) {
				t.Fatalf("entry %d: rating %v, observed %v", k, v, obs)
			}
			if obs {
				observed++
			}
		}
		got := float64(observed) / float64(c.users*c.items)
		if c.density < 1 && (got < c.density/2 || got > c.density*2) {
			t.Errorf("%v: observed share %.3f, asked for %.3f", c, got, c.density)
		}
		for u := 0; u < c.users; u++ {
			if len(r.Seen(u)) < 2 {
				t.Fatalf("user %d has %d training ratings", u, len(r.Seen(u)))
			}
		}
		if len(r.ItemNames) != c.items || r.ItemNames[0] == r.ItemNames[1] {
			t.Errorf("item names %v", r.ItemNames[:2])
		}
		uv, iv := r.UserVectors(), r.ItemVectors()
		if uv.N != c.users || uv.D != c.items || iv.N != c.items || iv.D != c.users {
			t.Fatalf("vectors %v / %v", uv, iv)
		}
		if !cmp.Equal(Transpose(iv.X, c.items, c.users), uv.X) {
			t.Fatal("item vectors are not the transpose of user vectors")
		}
		// Predicting the truth gives zero test RMSE; predicting 3 does not.
		if e := r.TestRMSE(r.Ratings); e != 0 {
			t.Errorf("RMSE of the truth = %v", e)
		}
		three := make([]float32, len(r.Ratings))
		for i := range three {
			three[i] = 3
		}
		if e := r.TestRMSE(three); !(e > 0.5) {
			t.Errorf("RMSE of constant 3 = %v", e)
		}
	}
}

// TestRatingsAreLowRank checks that the ratings carry low-rank structure: a
// small alternating-least-squares factorisation of the training ratings
// (around the item means) predicts the held-out ratings clearly better than
// the item means do.
func TestRatingsAreLowRank(t *testing.T) {
	r := Ratings(400, 80, 3, 0.3, 1)
	itemSum, itemN := make([]float64, r.Items), make([]float64, r.Items)
	for k, tr := range r.Train {
		if tr {
			itemSum[k%r.Items] += float64(r.Ratings[k])
			itemN[k%r.Items]++
		}
	}
	pItem := make([]float32, len(r.Ratings))
	for k := range pItem {
		pItem[k] = float32(itemSum[k%r.Items] / max(itemN[k%r.Items], 1))
	}
	const rank, lambda = 4, 2.0
	users, items := mat.NewDense(r.Users, rank, nil), mat.NewDense(r.Items, rank, nil)
	for i := 0; i < r.Items; i++ {
		for j := 0; j < rank; j++ {
			items.Set(i, j, 0.1*float64((i*7+j*3)%11-5))
		}
	}
	// solve sets row a of x to the ridge solution against the fixed factors
	// f, over the entries (rows of f) that a has observed.
	solve := func(x, f *mat.Dense, a int, entries []int, value func(int) float64) {
		ata := mat.NewSymDense(rank, nil)
		atb := mat.NewVecDense(rank, nil)
		for _, e := range entries {
			row := f.RawRowView(e)
			v := mat.NewVecDense(rank, row)
			ata.SymRankOne(ata, 1, v)
			atb.AddScaledVec(atb, value(e), v)
		}
		for j := 0; j < rank; j++ {
			ata.SetSym(j, j, ata.At(j, j)+lambda)
		}
		var sol mat.VecDense
		if err := sol.SolveVec(ata, atb); err != nil {
			t.Fatal(err)
		}
		x.SetRow(a, sol.RawVector().Data)
	}
	for it := 0; it < 15; it++ {
		for u := 0; u < r.Users; u++ {
			solve(users, items, u, r.Seen(u), func(i int) float64 { return float64(r.Ratings[u*r.Items+i] - pItem[u*r.Items+i]) })
		}
		for i := 0; i < r.Items; i++ {
			var raters []int
			for u := 0; u < r.Users; u++ {
				if r.Train[u*r.Items+i] {
					raters = append(raters, u)
				}
			}
			solve(items, users, i, raters, func(u int) float64 { return float64(r.Ratings[u*r.Items+i] - pItem[u*r.Items+i]) })
		}
	}
	var low mat.Dense
	low.Mul(users, items.T())
	pLow := make([]float32, len(r.Ratings))
	for k := range pLow {
		pLow[k] = pItem[k] + float32(low.At(k/r.Items, k%r.Items))
	}
	it, lr := r.TestRMSE(pItem), r.TestRMSE(pLow)
	t.Logf("held-out RMSE: item means %.3f, rank-%d ALS %.3f", it, rank, lr)
	if !(lr < 0.8*it) {
		t.Fatalf("ALS RMSE %.3f is not clearly below the item means' %.3f: no low-rank structure", lr, it)
	}
}

func TestTopK(t *testing.T) {
	r := Ratings(3, 6, 1, 0.5, 3)
	scores := []float32{6, 5, 4, 3, 2, 1}
	top := r.TopK(0, scores, 3)
	seen := r.Seen(0)
	for _, i := range top {
		for _, s := range seen {
			if i == s {
				t.Fatalf("TopK %v recommends seen item %d (seen %v)", top, i, seen)
			}
		}
	}
	for k := 1; k < len(top); k++ {
		if scores[top[k]] > scores[top[k-1]] {
			t.Fatalf("TopK %v not best first", top)
		}
	}
	if len(r.TopK(0, scores, 100)) != 6-len(seen) {
		t.Fatal("TopK with large k")
	}
}

func TestTimeSeries(t *testing.T) {
	cases := []struct {
		n, window int
		frac      float64
		anomalies int
	}{
		{200, 64, 0.1, 20},
		{10, 8, 0, 0},
		{7, 16, 1, 7},
	}
	for _, c := range cases {
		s := TimeSeries(c.n, c.window, c.frac, 5)
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
		if s.N != c.n || s.D != c.window || s.ClassCounts()[0] != c.n-c.anomalies {
			t.Fatalf("%v: %v, counts %v", c, s, s.ClassCounts())
		}
		if !cmp.Equal(s, TimeSeries(c.n, c.window, c.frac, 5)) {
			t.Fatal("same seed, different series")
		}
		for _, v := range s.X {
			if v < 0 || v > 1 {
				t.Fatalf("value %v outside [0,1]", v)
			}
		}
	}
	// Anomalous windows depart from a smooth signal: their largest step
	// between neighbours is on average larger than that of normal windows.
	s := TimeSeries(400, 48, 0.2, 9)
	var jump [2]float64
	for i := 0; i < s.N; i++ {
		row, big := s.Row(i), 0.0
		for k := 1; k < len(row); k++ {
			big = max(big, math.Abs(float64(row[k]-row[k-1])))
		}
		jump[s.Labels[i]] += big / float64(s.ClassCounts()[s.Labels[i]])
	}
	if !(jump[1] > 1.5*jump[0]) {
		t.Fatalf("mean largest step: normal %.3f, anomaly %.3f", jump[0], jump[1])
	}
}

func TestSynthArgs(t *testing.T) {
	cases := []struct {
		f    func()
		want string
	}{
		{func() { Ratings(0, 10, 2, 0.1, 1) }, "want users >= 1"},
		{func() { Ratings(10, 10, 2, 0, 1) }, "density in (0, 1]"},
		{func() { TimeSeries(10, 4, 0.1, 1) }, "window >= 8"},
		{func() { TimeSeries(10, 16, 2, 1) }, "anomalyFrac in [0, 1]"},
		{func() { Ratings(3, 5, 1, 1, 1).TopK(0, nil, 2) }, "0 scores for 5 items"},
		{func() { Ratings(3, 5, 1, 1, 1).Seen(3) }, "user 3 out of range"},
	}
	for _, c := range cases {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.Contains(r, c.want) {
					t.Errorf("panic %q, want %q", r, c.want)
				}
			}()
			c.f()
		}()
	}
}
