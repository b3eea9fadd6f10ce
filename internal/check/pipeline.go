package check

import (
	"context"
	"runtime"
	"sync"
)

// workers is how many files are worked on at once: parsing, decoding and evaluating are CPU-bound
// and independent per file.
func workers() int { return runtime.GOMAXPROCS(0) }

// inOrder runs work(i) for every i in [0, n) on up to workers goroutines and hands the results to
// consume in index order, so the output is the same whatever the interleaving. At most a few
// results per worker wait for their turn, which bounds memory whatever n is. first, when not nil,
// runs once the workers have started and before anything is consumed (the work may wait for what
// it prepares). The first error first or consume returns stops the work and is returned.
func inOrder[T any](ctx context.Context, n, workers int, first func() error, work func(context.Context, int) T, consume func(T) error) error {
	ctx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		cancel()
		wg.Wait()
	}()
	type job struct {
		i   int
		out chan T
	}
	jobs := make(chan job)
	// pending holds the result channels in index order; its capacity is how far the workers may
	// run ahead of consume.
	pending := make(chan chan T, 4*workers)
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		defer close(pending)
		for i := range n {
			out := make(chan T, 1)
			select {
			case pending <- out:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- job{i, out}:
			case <-ctx.Done():
				return
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				j.out <- work(ctx, j.i)
			}
		}()
	}
	if first != nil {
		if err := first(); err != nil {
			return err
		}
	}
	for out := range pending {
		select {
		case t := <-out:
			if err := consume(t); err != nil {
				return err
			}
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return ctx.Err()
}
