package main

import (
	"fmt"
	"sync"
)

func worker(id int, results []string) {
	results[id-1] = fmt.Sprintf("Worker %d done", id)
}

func main() {
	var wg sync.WaitGroup
	results := make([]string, 5)
	for i := 1; i <= 5; i++ {
		wg.Go(func() {
			worker(i, results)
		})
	}
	wg.Wait()
	for _, r := range results {
		fmt.Println(r)
	}
}
