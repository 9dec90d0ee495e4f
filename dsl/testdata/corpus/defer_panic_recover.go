package main

import (
	"errors"
	"fmt"
)

func mayPanic() {
	panic("a problem")
}

func safeDiv(a, b int) (q int, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered: %v", r)
		}
	}()
	return a / b, nil
}

func deferOrder() {
	for i := 0; i < 3; i++ {
		defer fmt.Println("deferred", i)
	}
	fmt.Println("body done")
}

func main() {
	defer func() {
		if r := recover(); r != nil {
			fmt.Println("Recovered. Error:\n", r)
		}
	}()
	deferOrder()
	fmt.Println(safeDiv(10, 2))
	q, err := safeDiv(1, 0)
	fmt.Println(q, err)
	fmt.Println(errors.Unwrap(fmt.Errorf("w: %w", errors.New("inner"))))
	mayPanic()
	fmt.Println("After mayPanic()")
}
