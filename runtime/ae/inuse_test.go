package ae

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

// TestTwoGoroutinesOneModel: a second Fit while one trains is refused with
// a clear error; Reconstruct beside a Fit waits its turn and gives the
// same figures as alone; a Fit callback may use its own model.
func TestTwoGoroutinesOneModel(t *testing.T) {
	train := blobs("train", 512, 1, 8, 8, 1)
	m := Dense(64, 32, 8).WithSeed(3)
	// The first Fit waits in its first batch's callback until the second
	// has been tried, so that it is still training then however the two
	// goroutines are scheduled (on a loaded machine it had finished its
	// 40 short epochs before the second Fit began).
	started, tried := make(chan struct{}), make(chan struct{})
	var once sync.Once
	var inCallback *Reconstruction
	var wg sync.WaitGroup
	var fitErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, fitErr = m.FitE(train, Epochs(40), Batch(32), Quiet(), AfterBatch(func(*Step) { once.Do(func() { close(started); <-tried }) }),
			AfterEpoch(func(*Epoch) { inCallback = m.Reconstruct(train.Take(4)) }))
	}()
	<-started
	_, err := m.FitE(train, Epochs(1), Quiet())
	close(tried)
	var e *Error
	if !errors.As(err, &e) || !strings.Contains(err.Error(), "being trained by another Fit") {
		t.Errorf("a second Fit during a Fit gave %v, want a clear error", err)
	}
	var recs []*Reconstruction
	for i := 0; i < 20; i++ {
		r, err := m.ReconstructE(train.Take(16))
		if err != nil {
			t.Fatalf("Reconstruct beside Fit: %v", err)
		}
		recs = append(recs, r)
	}
	wg.Wait()
	if fitErr != nil {
		t.Fatalf("the first Fit failed: %v", fitErr)
	}
	if inCallback == nil {
		t.Error("Reconstruct inside AfterEpoch did not run")
	}
	for _, r := range recs {
		if len(r.Errors) != 16 || r.MSE != r.MSE {
			t.Fatalf("a Reconstruct beside Fit gave %d errors, MSE %v", len(r.Errors), r.MSE)
		}
	}
	// After training, two goroutines reconstructing at once agree with one.
	want := m.Reconstruct(train).MSE
	var got [4]float64
	for i := range got {
		wg.Add(1)
		go func() { defer wg.Done(); got[i] = m.Reconstruct(train).MSE }()
	}
	wg.Wait()
	for i, g := range got {
		if g != want {
			t.Errorf("goroutine %d: MSE %v, alone %v", i, g, want)
		}
	}
}
