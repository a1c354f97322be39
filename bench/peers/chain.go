// Go peer of bench/workloads/chain.mpl: N goroutines in a line, a token
// goes down and the hop count back up, ROUNDS times.
// Run: go run chain.go [N] [ROUNDS]   (run.sh builds it first)
package main

import (
	"fmt"
	"os"
	"strconv"
)

type link struct {
	down chan bool // true = go, false = stop
	up   chan int
}

func newLink() link { return link{make(chan bool, 1), make(chan int, 1)} }

func node(up, down link) {
	for {
		if !<-up.down {
			down.down <- false
			return
		}
		down.down <- true
		h := <-down.up
		up.up <- h + 1
	}
}

func far(up link) {
	for <-up.down {
		up.up <- 1
	}
}

func arg(i, d int) int {
	if len(os.Args) > i {
		if v, err := strconv.Atoi(os.Args[i]); err == nil {
			return v
		}
	}
	return d
}

func main() {
	n, r := arg(1, 10000), arg(2, 50)
	first := newLink()
	up := first
	for i := n; i > 1; i-- {
		down := newLink()
		go node(up, down)
		up = down
	}
	go far(up)
	total := 0
	for i := 0; i < r; i++ {
		first.down <- true
		total += <-first.up
	}
	first.down <- false
	fmt.Printf("hops: %d\n", total)
}
