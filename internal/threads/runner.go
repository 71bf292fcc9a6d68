//go:build amd64 || arm64

package threads

import (
	"errors"
	"fmt"
	"time"

	"github.com/wasmvec/wasmvec/internal/raw"
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
// failure (Fail: abort flag, interrupt, wake-ups), gives the runner
// Config.Grace to finish, and returns without it: the instance is done
// (later calls return ErrClosed), and its threads are joined at Close or
// accounted as stuck (MaxStuck). Whatever the guest's threads do, the call
// returns within about that grace after its deadline or its failure.
//
// One hand-off costs two goroutine switches per call, and no allocation.

// Job is guest code for the runner: a kernel call, function Export of
// the C block's table with NArgs arguments in its slots, or Func (the
// instantiation's steps, stop-workers).
type Job struct {
	Export int
	NArgs  int
	Func   func() error
	seq    uint64
}

// Result is what a job ended with: the C block call's error (CallErr; its
// trap is in the C block), or Func's (FuncErr).
type Result struct {
	CallErr raw.Err
	FuncErr error
	seq     uint64 // the job's: a result of a job given up on is told apart
}

// runner is the goroutine that runs a threaded instance's calling thread.
type runner struct {
	jobs   chan Job      // a job for the runner; closed by close
	done   chan Result   // the job ended (buffered: a caller that gave up reads nothing)
	kick   chan struct{} // look again: a failure, a bound context ended, the deadline passed (buffered)
	exited chan struct{} // closed when the runner has freed the instance (threads.free)
	timer  *time.Timer   // pokes at the deadline of the job under way
	seq    uint64        // of the last job given (the caller's, under the instance's lock)
}

// poke asks the waiting caller to look again; it never blocks.
func (r *runner) poke() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// startRunner starts the runner of t; from then on free runs when it ends.
func (t *Threads) startRunner() {
	t.r = runner{jobs: make(chan Job), done: make(chan Result, 1), kick: make(chan struct{}, 1), exited: make(chan struct{})}
	t.r.timer = time.AfterFunc(time.Hour, t.r.poke)
	t.r.timer.Stop()
	go t.runJobs()
}

func (t *Threads) runJobs() {
	defer close(t.r.exited)
	for j := range t.r.jobs {
		res := Result{seq: j.seq}
		if j.Func != nil {
			res.FuncErr = j.Func()
		} else {
			res.CallErr = t.c.Call(j.Export, j.NArgs)
		}
		t.mu.Lock()
		t.busy = false
		if t.runnerStuck {
			t.runnerStuck = false
			stuck.Add(-1)
		}
		t.settle()
		t.mu.Unlock()
		t.r.done <- res
	}
	t.free()
}

// Give hands j to the runner, bounded by deadline (zero: none). The caller
// then takes its end with next. It reports false, and gives nothing, when
// the runner still runs a job given up on or the instance is closing.
func (t *Threads) Give(j Job, deadline time.Time) bool {
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
	if t.counted && !t.runnerStuck { // a job of a failed instance (stop-workers at Close)
		t.runnerStuck = true
		stuck.Add(1)
	}
	t.mu.Unlock()
	t.r.seq++
	j.seq = t.r.seq
	t.r.jobs <- j
	if !deadline.IsZero() {
		t.r.timer.Reset(time.Until(deadline))
	}
	return true
}

// Next waits for the job to end (ok) or for a poke (not ok: the caller
// looks why, and calls Next again or gives up with GiveUp).
func (t *Threads) Next() (res Result, ok bool) {
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

// GiveUp ends the wait for a job that must end with err: it records err as
// the instance's failure (Fail), then waits Config.Grace for the job to
// end. ok reports that it did (res is its end); otherwise the runner still
// runs it, and free waits for it.
func (t *Threads) GiveUp(err error) (res Result, ok bool) {
	t.Fail(err)
	return t.waitEnd(t.cfg.Grace, false)
}

// waitEnd waits up to grace for the job under way to end, and reports its
// end; with failing, it stops waiting when a thread fails meanwhile. The
// job's deadline timer is stopped: the deadline has passed or the job ended.
func (t *Threads) waitEnd(grace time.Duration, failing bool) (res Result, ok bool) {
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
		case <-t.r.kick:
			if failing && t.Failed() {
				return res, false
			}
		case <-tm.C:
			return res, false
		}
	}
}

// StopWait asks the job to end the cooperative way: it raises the guest's
// stop word (RequestStop) and waits up to grace for the job to end, with
// no failure recorded. ok reports that it ended (res is its end); if not,
// the caller gives up as usual (GiveUp).
func (t *Threads) StopWait(grace time.Duration) (res Result, ok bool) {
	if !t.RequestStop() {
		return res, false
	}
	return t.waitEnd(grace, true) // a thread that fails meanwhile ends the call
}

// RunFunc runs f on the runner, bounded by deadline (zero: none): f's error
// when it ends, or the instance's failure when f returned nil as a thread
// failed; when the deadline passes or a thread fails first, that failure
// (late, built by late when it is the deadline), whatever f returns after,
// with ok reporting whether f ended within the grace.
func (t *Threads) RunFunc(f func() error, deadline time.Time, late func() error) (err error, ok bool) {
	if !t.Give(Job{Func: f}, deadline) {
		return t.Busy(), false
	}
	for {
		res, done := t.Next()
		if done {
			if res.FuncErr == nil {
				res.FuncErr = t.Failure() // a thread failed as f returned
			}
			return res.FuncErr, true
		}
		cause := t.Failure()
		if cause == nil && !deadline.IsZero() && !time.Now().Before(deadline) {
			cause = late()
		}
		if cause == nil {
			continue
		}
		// f may still return within the grace, even with no error: the
		// job ended with cause all the same.
		_, done = t.GiveUp(cause)
		return t.Failure(), done
	}
}

// ErrWaiting stands for the trap a calling thread did not raise: it was
// still in the guest (asleep in a wait, most often) when its call had to
// end.
var ErrWaiting = errors.New("the calling thread had not returned from the guest")

// Busy is the error of a job given while the runner still runs one whose
// caller gave up on it: the instance is done (Config.ErrClosed).
func (t *Threads) Busy() error {
	return fmt.Errorf("%w: the instance's calling thread has not returned from a call that ended", t.cfg.ErrClosed)
}

// Poke has the caller waiting in Next look again (a bound context ended).
func (t *Threads) Poke() { t.r.poke() }
