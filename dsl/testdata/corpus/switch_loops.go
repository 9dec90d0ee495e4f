package main

import "fmt"

func main() {
	i := 2
	fmt.Print("Write ", i, " as ")
	switch i {
	case 1:
		fmt.Println("one")
	case 2:
		fmt.Println("two")
	case 3:
		fmt.Println("three")
	}
	whatAmI := func(i interface{}) {
		switch t := i.(type) {
		case bool:
			fmt.Println("I'm a bool")
		case int:
			fmt.Println("I'm an int")
		default:
			fmt.Printf("Don't know type %T\n", t)
		}
	}
	whatAmI(true)
	whatAmI(1)
	whatAmI("hey")
	for j := 0; j < 3; j++ {
		fmt.Println(j)
	}
	for n := range 6 {
		if n%2 == 0 {
			continue
		}
		fmt.Println(n)
	}
outer:
	for a := 0; a < 3; a++ {
		for b := 0; b < 3; b++ {
			if b == 2 {
				continue outer
			}
			if a == 2 {
				break outer
			}
			fmt.Println(a, b)
		}
	}
	switch {
	case i > 1:
		fmt.Println("big")
		fallthrough
	case i > 0:
		fmt.Println("positive")
	}
}
