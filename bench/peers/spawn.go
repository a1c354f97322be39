// Go peer of bench/workloads/spawn.mpl: N goroutines parked in a receive,
// then each sent one message. Run: go run spawn.go [N]
package main

import (
	"fmt"
	"os"
	"strconv"
	"sync"
)

func main() {
	n := 100000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	var wg sync.WaitGroup
	wg.Add(n)
	chans := make([]chan int, n)
	for i := range chans {
		c := make(chan int, 1)
		chans[i] = c
		go func() { <-c; wg.Done() }()
	}
	for _, c := range chans {
		c <- 1
	}
	wg.Wait()
	fmt.Printf("woke: %d\n", n)
}
