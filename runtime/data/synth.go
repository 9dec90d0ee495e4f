package data

import (
	"fmt"
	"math"
	"math/rand/v2"
	"sort"

	"github.com/latent-ai/latent/internal/hugemem"
	"github.com/latent-ai/latent/runtime/host"
)

// RatingSet is a user×item rating matrix with missing entries, split into
// ratings to train on and held-out ratings to test on: the data of the
// recommendation use. All matrices are users×items, row-major.
type RatingSet struct {
	Name         string
	Users, Items int
	// Ratings holds the observed ratings, 1..5, and 0 where the user has not
	// rated the item.
	Ratings []float32
	// Train marks the ratings to train on, Test the held-out ones; they do
	// not overlap, and together they are the observed ratings.
	Train, Test []bool
	ItemNames   []string
	Rank        int // rank of the hidden preference model that generated the ratings
}

// Ratings generates a seeded synthetic rating matrix: each user and item
// gets a hidden rank-dimensional taste vector and a bias, the rating is
// 3.5 + biases + taste·taste/√rank + noise, rounded and clipped to 1..5.
// About density of the entries are observed, more of them for popular
// items, at least 3 per user; 20% of each user's observed ratings are held
// out as the test set. Items get made-up film titles.
func Ratings(users, items, rank int, density float64, seed uint64) *RatingSet {
	if users < 1 || items < 4 || rank < 1 || !(density > 0 && density <= 1) {
		panic(fmt.Sprintf("data: Ratings(%d users, %d items, rank %d, density %v): want users >= 1, items >= 4, rank >= 1 and density in (0, 1]", users, items, rank, density))
	}
	if err := host.CheckAlloc(fmt.Sprintf("data.Ratings(%d users, %d items)", users, items), int64(min(float64(users)*float64(items)*6, 1<<62))); err != nil {
		panic(err)
	}
	g := rand.New(rand.NewPCG(seed, 0x726174696e6773))
	normals := func(n int, sd float64) []float64 {
		v := make([]float64, n)
		for i := range v {
			v[i] = sd * g.NormFloat64()
		}
		return v
	}
	uTaste, iTaste := normals(users*rank, 1), normals(items*rank, 1)
	uBias, iBias := normals(users, 0.3), normals(items, 0.5)
	// Popularity: lognormal weights with mean 1.
	pop := normals(items, 0.8)
	mean := 0.0
	for i := range pop {
		pop[i] = math.Exp(pop[i])
		mean += pop[i] / float64(items)
	}
	r := &RatingSet{
		Name:  fmt.Sprintf("ratings (%d users × %d items, rank %d)", users, items, rank),
		Users: users, Items: items, Rank: rank,
		Ratings: make([]float32, users*items), Train: make([]bool, users*items), Test: make([]bool, users*items),
		ItemNames: filmTitles(items, g),
	}
	scale := 1 / math.Sqrt(float64(rank))
	for u := 0; u < users; u++ {
		var seen []int
		for i := 0; i < items; i++ {
			if g.Float64() < min(1, density*pop[i]/mean) {
				seen = append(seen, i)
			}
		}
		for len(seen) < 3 {
			i := g.IntN(items)
			if !containsInt(seen, i) {
				seen = append(seen, i)
			}
		}
		sort.Ints(seen)
		for _, i := range seen {
			dot := 0.0
			for k := 0; k < rank; k++ {
				dot += uTaste[u*rank+k] * iTaste[i*rank+k]
			}
			v := 3.5 + uBias[u] + iBias[i] + dot*scale + 0.3*g.NormFloat64()
			r.Ratings[u*items+i] = float32(min(5, max(1, math.Round(v))))
			r.Train[u*items+i] = true
		}
		// Hold out 20% (at least one, always keeping two to train on).
		hold := min(max(1, int(math.Round(0.2*float64(len(seen))))), len(seen)-2)
		for _, k := range g.Perm(len(seen))[:hold] {
			r.Train[u*items+seen[k]] = false
			r.Test[u*items+seen[k]] = true
		}
	}
	return r
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

var (
	titleAdjectives = []string{"Silent", "Crimson", "Last", "Hidden", "Frozen", "Electric", "Golden", "Broken", "Midnight", "Wild", "Distant", "Paper", "Iron", "Velvet", "Hollow", "Burning"}
	titleNouns      = []string{"Harbor", "Garden", "Empire", "River", "Signal", "Orchard", "Horizon", "Lantern", "Station", "Kingdom", "Echo", "Mirror", "Voyage", "Summer", "Compass", "Frontier"}
)

// filmTitles returns n distinct made-up titles in a seeded order.
func filmTitles(n int, g *rand.Rand) []string {
	na, nn := len(titleAdjectives), len(titleNouns)
	perm := g.Perm(na * nn)
	out := make([]string, n)
	for i := range out {
		k := perm[i%len(perm)]
		out[i] = "The " + titleAdjectives[k/nn] + " " + titleNouns[k%nn]
		if round := i / len(perm); round > 0 {
			out[i] += fmt.Sprintf(" %d", round+1)
		}
	}
	return out
}

// String describes the set in one line.
func (r *RatingSet) String() string {
	tr, te := count(r.Train), count(r.Test)
	return fmt.Sprintf("%s: %d training and %d held-out ratings (%.1f%% of the matrix observed)",
		r.Name, tr, te, 100*float64(tr+te)/float64(len(r.Ratings)))
}

func count(b []bool) int {
	n := 0
	for _, v := range b {
		if v {
			n++
		}
	}
	return n
}

// masked returns a rows×cols set whose entry (a, b) is f(user, item), with
// (a, b) = (user, item), or (item, user) when byItem is set.
func (r *RatingSet) masked(name string, byItem bool, f func(k int) float32) *Set {
	rows, cols := r.Users, r.Items
	if byItem {
		rows, cols = cols, rows
	}
	s := &Set{Name: name, N: rows, D: cols, X: hugemem.Float32s(rows * cols)}
	for u := 0; u < r.Users; u++ {
		for i := 0; i < r.Items; i++ {
			k := u*r.Items + i
			if byItem {
				s.X[i*r.Users+u] = f(k)
			} else {
				s.X[k] = f(k)
			}
		}
	}
	return s
}

func (r *RatingSet) trainValue(k int) float32 {
	if r.Train[k] {
		return r.Ratings[k]
	}
	return 0
}

func (r *RatingSet) testValue(k int) float32 {
	if r.Test[k] {
		return r.Ratings[k]
	}
	return 0
}

func (r *RatingSet) trainMask(k int) float32 {
	if r.Train[k] {
		return 1
	}
	return 0
}

func (r *RatingSet) testMask(k int) float32 {
	if r.Test[k] {
		return 1
	}
	return 0
}

// UserVectors returns one sample per user: their training ratings over all
// items, 0 where unknown (the input of user-based AutoRec).
func (r *RatingSet) UserVectors() *Set {
	return r.masked(r.Name+" users (train)", false, r.trainValue)
}

// UserMask returns, beside UserVectors, 1 where a training rating exists
// and 0 elsewhere: the mask of a masked loss.
func (r *RatingSet) UserMask() *Set {
	return r.masked(r.Name+" users (train mask)", false, r.trainMask)
}

// UserTest returns one sample per user with their held-out ratings, 0
// elsewhere.
func (r *RatingSet) UserTest() *Set { return r.masked(r.Name+" users (test)", false, r.testValue) }

// UserTestMask returns 1 where a held-out rating exists, per user.
func (r *RatingSet) UserTestMask() *Set {
	return r.masked(r.Name+" users (test mask)", false, r.testMask)
}

// ItemVectors returns one sample per item: its training ratings by all
// users, 0 where unknown (the input of item-based AutoRec).
func (r *RatingSet) ItemVectors() *Set { return r.masked(r.Name+" items (train)", true, r.trainValue) }

// ItemMask returns, beside ItemVectors, 1 where a training rating exists.
func (r *RatingSet) ItemMask() *Set { return r.masked(r.Name+" items (train mask)", true, r.trainMask) }

// ItemTest returns one sample per item with its held-out ratings.
func (r *RatingSet) ItemTest() *Set { return r.masked(r.Name+" items (test)", true, r.testValue) }

// ItemTestMask returns 1 where a held-out rating exists, per item.
func (r *RatingSet) ItemTestMask() *Set {
	return r.masked(r.Name+" items (test mask)", true, r.testMask)
}

// TestRMSE returns the root mean squared error of predicted ratings (a
// users×items matrix, row-major; for item-based models pass the transpose
// back, see Transpose) on the held-out ratings.
func (r *RatingSet) TestRMSE(pred []float32) float64 {
	if len(pred) != len(r.Ratings) {
		panic(fmt.Sprintf("data: TestRMSE: %d predictions for a %d×%d matrix; pass users×items values", len(pred), r.Users, r.Items))
	}
	var sum float64
	n := 0
	for k, t := range r.Test {
		if t {
			d := float64(pred[k]) - float64(r.Ratings[k])
			sum += d * d
			n++
		}
	}
	if n == 0 {
		return math.NaN()
	}
	return math.Sqrt(sum / float64(n))
}

// Transpose returns the rows×cols row-major matrix m as cols×rows: turns
// item-based predictions (items×users) into users×items.
func Transpose(m []float32, rows, cols int) []float32 {
	if len(m) != rows*cols {
		panic(fmt.Sprintf("data: Transpose of %d values as %d×%d", len(m), rows, cols))
	}
	out := make([]float32, len(m))
	for a := 0; a < rows; a++ {
		for b := 0; b < cols; b++ {
			out[b*rows+a] = m[a*cols+b]
		}
	}
	return out
}

// Seen returns the items user rated in the training data.
func (r *RatingSet) Seen(user int) []int {
	r.checkUser(user)
	var out []int
	for i := 0; i < r.Items; i++ {
		if r.Train[user*r.Items+i] {
			out = append(out, i)
		}
	}
	return out
}

func (r *RatingSet) checkUser(user int) {
	if user < 0 || user >= r.Users {
		panic(fmt.Sprintf("data: user %d out of range [0, %d)", user, r.Users))
	}
}

// TopK returns the k items with the highest scores (one per item, e.g. the
// user's predicted ratings) among those user has not rated in the training
// data, best first; ties go to the lower item index.
func (r *RatingSet) TopK(user int, scores []float32, k int) []int {
	r.checkUser(user)
	if len(scores) != r.Items {
		panic(fmt.Sprintf("data: TopK: %d scores for %d items; pass one score per item", len(scores), r.Items))
	}
	var cand []int
	for i := 0; i < r.Items; i++ {
		if !r.Train[user*r.Items+i] {
			cand = append(cand, i)
		}
	}
	sort.SliceStable(cand, func(a, b int) bool { return scores[cand[a]] > scores[cand[b]] })
	return cand[:min(max(k, 0), len(cand))]
}

// TimeSeries generates n windows of window consecutive points cut from one
// seeded signal of hourly values (a daily cycle whose amplitude varies from
// day to day, a weekly cycle and autocorrelated noise, in [0,1]), and
// injects an anomaly into round(anomalyFrac·n) randomly chosen windows: a
// spike, a level shift or a burst of noise. Labels are 0 (normal) or 1
// (anomaly).
func TimeSeries(n, window int, anomalyFrac float64, seed uint64) *Set {
	if n < 1 || window < 8 || !(anomalyFrac >= 0 && anomalyFrac <= 1) {
		panic(fmt.Sprintf("data: TimeSeries(%d, %d, %v): want n >= 1, window >= 8 and anomalyFrac in [0, 1]", n, window, anomalyFrac))
	}
	if err := host.CheckAlloc(fmt.Sprintf("data.TimeSeries(%d windows of %d)", n, window), int64(min(float64(n)*float64(window)*4, 1<<62))); err != nil {
		panic(err)
	}
	g := rand.New(rand.NewPCG(seed, 0x736572696573))
	s := &Set{
		Name: fmt.Sprintf("time series (%d windows of %d)", n, window),
		N:    n, D: window, X: hugemem.Float32s(n * window), Labels: make([]int, n),
		ClassNames: []string{"normal", "anomaly"},
	}
	// Time is in hours from midnight on a Monday, the same for every seed,
	// so that series from different seeds come from one process; each day
	// has its own amplitude.
	const day, week = 24.0, 168.0
	ar, amp := 0.0, 0.2
	for t := range s.X {
		if t%int(day) == 0 {
			amp = 0.2 * (1 + 0.1*g.NormFloat64())
		}
		ar = 0.8*ar + 0.02*g.NormFloat64()
		tt := float64(t)
		s.X[t] = float32(0.5 + amp*math.Sin(2*math.Pi*tt/day) + 0.08*math.Sin(2*math.Pi*tt/week) + ar)
	}
	for _, w := range g.Perm(n)[:int(math.Round(anomalyFrac*float64(n)))] {
		s.Labels[w] = 1
		row := s.Row(w)
		sign := float32(1)
		if g.IntN(2) == 0 {
			sign = -1
		}
		switch g.IntN(3) {
		case 0: // spike: one to three points jump
			at := g.IntN(window - 2)
			for k := 0; k <= g.IntN(3) && at+k < window; k++ {
				row[at+k] += sign * float32(0.15+0.2*g.Float64())
			}
		case 1: // level shift until the window ends
			at := window/4 + g.IntN(window/2)
			d := sign * float32(0.08+0.1*g.Float64())
			for k := at; k < window; k++ {
				row[k] += d
			}
		default: // noise burst over a quarter of the window
			l := max(window/4, 2)
			at := g.IntN(window - l + 1)
			for k := at; k < at+l; k++ {
				row[k] += float32(0.06 * g.NormFloat64())
			}
		}
	}
	for i, v := range s.X {
		s.X[i] = min(max(v, 0), 1)
	}
	return s
}
