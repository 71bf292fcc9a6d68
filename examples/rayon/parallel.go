package rayon

import (
	"fmt"
	"sync"
)

// parallel splits [0, n) into threads contiguous ranges and runs fn on
// each in a goroutine of its own, then waits for all.
func parallel(n, threads int, fn func(from, to int)) {
	var wg sync.WaitGroup
	for t := range threads {
		from, to := t*n/threads, (t+1)*n/threads
		if from == to {
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(from, to)
		}()
	}
	wg.Wait()
}

// ALMAParallel is ALMA on threads goroutines, each computing a contiguous
// range of the nseries·len(params) output series: what a Go programmer
// would write. Same results, bit for bit; the errors of ALMA, and ErrParam
// for threads < 1.
func ALMAParallel(out, series []float64, nseries int, params []Param, threads int) error {
	if threads < 1 {
		return fmt.Errorf("%w: %d threads", ErrParam, threads)
	}
	l, ws, err := shape(out, series, nseries, params)
	if err != nil {
		return err
	}
	parallel(nseries*len(params), threads, func(from, to int) { almaPairs(out, series, l, ws, from, to) })
	return nil
}

// GrayScottParallel is GrayScott with each step's z slices split over
// threads goroutines (one WaitGroup per step). Same results, bit for bit;
// the errors of GrayScott, and ErrParam for threads < 1.
func GrayScottParallel(n, steps int, p GS, u, v, u2, v2 []float64, threads int) error {
	return grayScott(n, steps, p, u, v, u2, v2, threads)
}
