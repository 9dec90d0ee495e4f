package nnops

import (
	"fmt"
	"sync"
	"testing"
	"time"
)

var sinkChain uint64

func chain(n int) uint64 {
	x := uint64(1)
	for i := 0; i < n; i++ {
		x = x*2862933555777941757 + 3037000493
	}
	return x
}

func pair(f func()) float64 {
	t0 := time.Now()
	var wg sync.WaitGroup
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	wg.Wait()
	return time.Since(t0).Seconds()
}

func one(f func()) float64 {
	t0 := time.Now()
	f()
	return time.Since(t0).Seconds()
}

func TestZZChain(t *testing.T) {
	var mu sync.Mutex
	ch := func() { v := chain(700000); mu.Lock(); sinkChain += v; mu.Unlock() }
	fm := func() { fmaPeak(5000) }
	var c1, c2, f1, f2 []float64
	for rep := 0; rep < 400; rep++ {
		c1 = append(c1, one(ch))
		c2 = append(c2, pair(ch))
		f1 = append(f1, one(fm))
		f2 = append(f2, pair(fm))
	}
	mn := func(x []float64) float64 {
		m := x[0]
		for _, v := range x {
			m = min(m, v)
		}
		return m
	}
	fmt.Printf("chain pair %.2fx, fma pair %.2fx (min over 400 interleaved reps)\n", 2*mn(c1)/mn(c2), 2*mn(f1)/mn(f2))
	// count reps where each pair ran concurrently
	nc, nf := 0, 0
	for i := range c2 {
		if 2*mn(c1)/c2[i] > 1.6 {
			nc++
		}
		if 2*mn(f1)/f2[i] > 1.3 {
			nf++
		}
	}
	fmt.Printf("reps with chain pair >1.6x: %d, with fma pair >1.3x: %d\n", nc, nf)
}
