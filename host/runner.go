//go:build amd64 || arm64

package host

import (
	"errors"
	"fmt"
	"github.com/wasmvec/wasmvec/internal/raw"
	"time"
)

// A threaded guest's calling thread often does not run: it sleeps in
// memory.atomic.wait until its workers are done (every Rayon install or
// join does), where no epoch interrupt reaches it, and a guest can wait
// there for ever. So its guest code never runs on the goroutine of the
// host's caller: a goroutine of the instance's own, the runner, runs every
// kernel call, the instantiation's guest code and stop-workers, one at a
// time, while the caller waits for it, for the deadline of the call, for a
// bound context to end (Bind), and for any thread to fail. When the call
// has to end and the runner has not finished, the caller records the
// failure (threads.fail: abort flag, interrupt, wake-ups), gives the
// runner grace to finish, and returns without it: the instance is done
// (later calls return ErrClosed), and its threads are joined at Close or
// accounted as stuck (maxStuckThreads). Whatever the guest's threads do,
// the call returns within about grace after its deadline or its failure.
//
// One hand-off costs two goroutine switches per call, and no allocation.

// grace is how long a caller whose call must end waits for the runner to
// finish on its own (a running guest traps within about one epochTick of
// the interrupt, a waiting one once the wake-up sweep reaches its word).
const grace = 2 * epochTick

// job is guest code for the runner: kernel e of the typed path with nargs
// arguments in the C block, or f (the instantiation's steps, stop-workers).
type job struct {
	e     export
	nargs int
	f     func() error
	seq   uint64
}

// jobResult is what a job ended with: the typed path's error (a
// wasmtime_error_t, its trap is in the C block), or f's.
type jobResult struct {
	err raw.Err
	f   error
	seq uint64 // the job's: a result of a job given up on is told apart
}

// runner is the goroutine that runs a threaded instance's calling thread.
type runner struct {
	jobs   chan job       // a job for the runner; closed by close
	done   chan jobResult // the job ended (buffered: a caller that gave up reads nothing)
	kick   chan struct{}  // look again: a failure, a bound context ended, the deadline passed (buffered)
	exited chan struct{}  // closed when the runner has freed the instance (threads.free)
	timer  *time.Timer    // pokes at the deadline of the job under way
	seq    uint64         // of the last job given (the caller's, under the instance's lock)
}

// poke asks the waiting caller to look again; it never blocks.
func (r *runner) poke() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// startRunner starts the runner of t; from then on free runs when it ends.
func (t *threads) startRunner() {
	t.r = runner{jobs: make(chan job), done: make(chan jobResult, 1), kick: make(chan struct{}, 1), exited: make(chan struct{})}
	t.r.timer = time.AfterFunc(time.Hour, t.r.poke)
	t.r.timer.Stop()
	go t.runJobs()
}

func (t *threads) runJobs() {
	defer close(t.r.exited)
	for j := range t.r.jobs {
		res := jobResult{seq: j.seq}
		if j.f != nil {
			res.f = j.f()
		} else {
			res.err = t.c.Call(int(j.e), j.nargs)
		}
		t.mu.Lock()
		t.busy = false
		if t.runnerStuck {
			t.runnerStuck = false
			stuckThreads.Add(-1)
		}
		t.settle()
		t.mu.Unlock()
		t.r.done <- res
	}
	t.free()
}

// give hands j to the runner, bounded by deadline (zero: none). The caller
// then takes its end with next. It reports false, and gives nothing, when
// the runner still runs a job given up on or the instance is closing.
func (t *threads) give(j job, deadline time.Time) bool {
	select {
	case <-t.r.kick: // a poke from before this job
	default:
	}
	t.mu.Lock()
	if t.busy || t.closing.Load() {
		t.mu.Unlock()
		return false
	}
	t.busy = true
	t.mu.Unlock()
	t.r.seq++
	j.seq = t.r.seq
	t.r.jobs <- j
	if !deadline.IsZero() {
		t.r.timer.Reset(time.Until(deadline))
	}
	return true
}

// next waits for the job to end (ok) or for a poke (not ok: the caller
// looks why, and calls next again or gives up with giveUp).
func (t *threads) next() (res jobResult, ok bool) {
	for {
		select {
		case res = <-t.r.done:
			if res.seq != t.r.seq {
				continue // the end of a job given up on
			}
			t.r.timer.Stop()
			return res, true
		case <-t.r.kick:
			return res, false
		}
	}
}

// giveUp ends the wait for a job that must end with err: it records err as
// the instance's failure (threads.fail), then waits grace for the job to
// end. ok reports that it did (res is its end); otherwise the runner still
// runs it, and free waits for it.
func (t *threads) giveUp(err error) (res jobResult, ok bool) {
	t.fail(err)
	tm := time.NewTimer(grace)
	defer tm.Stop()
	defer t.r.timer.Stop()
	for {
		select {
		case res = <-t.r.done:
			if res.seq != t.r.seq {
				continue
			}
			return res, true
		case <-tm.C:
			return res, false
		}
	}
}

// runFunc runs f on the runner, bounded by deadline (zero: none): f's error
// when it ends; otherwise, when the deadline passes or a thread fails
// first, that failure (late, built by late when it is the deadline), and
// ok false.
func (t *threads) runFunc(f func() error, deadline time.Time, late func() error) (err error, ok bool) {
	if !t.give(job{f: f}, deadline) {
		return errRunnerBusy, false
	}
	for {
		res, done := t.next()
		if done {
			return res.f, true
		}
		cause := t.failure()
		if cause == nil && !deadline.IsZero() && !time.Now().Before(deadline) {
			cause = late()
		}
		if cause == nil {
			continue
		}
		if res, done := t.giveUp(cause); done {
			return res.f, true
		}
		return t.failure(), false
	}
}

// errWaiting stands for the trap a calling thread did not raise: it was
// still in the guest (asleep in a wait, most often) when its call had to
// end.
var errWaiting = errors.New("the calling thread had not returned from the guest")

// errRunnerBusy: the runner still runs a job whose caller gave up on it.
var errRunnerBusy = fmt.Errorf("%w: the instance's calling thread has not returned from a call that ended", ErrClosed)
