package nnops

import "testing"

// TestLocalScratch checks a participant's cache in front of the shared
// lists: a buffer it gives back is the one it gets next for that size
// class, a second buffer of the class goes to the shared lists, and a nil
// cache uses the shared lists only.
func TestLocalScratch(t *testing.T) {
	var ls localScratch
	a := ls.get(1000) // class 1024
	if len(*a) != 1000 || cap(*a) != 1024 {
		t.Fatalf("get(1000): len %d cap %d, want 1000 and 1024", len(*a), cap(*a))
	}
	b := ls.get(600) // the same class, while a is out
	ls.put(a)
	ls.put(b) // the class's slot is taken: b goes to the shared lists
	if ls.bufs[10] != a {
		t.Fatalf("the cache kept %p, want the first buffer given back, %p", ls.bufs[10], a)
	}
	if c := ls.get(900); c != a || len(*c) != 900 {
		t.Fatalf("get(900) after put: %p (len %d), want the cached buffer %p with len 900", c, len(*c), a)
	}
	if ls.bufs[10] != nil {
		t.Fatal("the cache still holds the buffer it handed out")
	}
	var none *localScratch
	d := none.get(1000)
	none.put(d) // to the shared lists; must not panic
	if len(*d) != 1000 {
		t.Fatalf("nil cache's get(1000): len %d", len(*d))
	}
}
