package host

import (
	"io"
	"runtime"
	"time"
)

// The options of engines and instances, and the limits they set.

// Option configures an engine (NewEngine) or an instance (Instantiate,
// Load, NewPool). WithDeadlines and WithCompileLimits configure an engine
// only: given to an instance they are ErrOption. The others configure an
// instance; given to NewEngine they are the defaults of every instance the
// engine makes, which the instance's own options follow (and so override).
// WithThreads given to NewEngine applies to threaded guests only; the
// others run on one thread.
type Option func(*options)

// options is what the options given to NewEngine, and then to an
// instance, set.
type options struct {
	// An instance's: WithThreads, WithTimeout, WithMemoryLimit, WithOutput.
	threads        int
	threadsSet     bool // WithThreads was given
	timeout        time.Duration
	memLimit       int64
	stdout, stderr io.Writer

	// An engine's: WithDeadlines, WithCompileLimits.
	deadlines          bool
	maxBytes, maxFuncs int
	engineOnly         string // the last engine option applied, for ErrOption
}

// engineDefaults is the options of an engine before its own are applied.
func engineDefaults() options {
	return options{memLimit: defaultMemoryLimit, maxBytes: defaultMaxModuleBytes, maxFuncs: defaultMaxFunctions}
}

// instanceOptions returns the options of an instance of m made with opts:
// m's engine's defaults, then opts.
func (m *Module) instanceOptions(opts []Option) (options, error) {
	o := m.engine.defaults
	o.engineOnly = ""
	if m.shared == nil || !o.threadsSet {
		o.threads, o.threadsSet = 1, false
		if m.shared != nil {
			o.threads = min(runtime.GOMAXPROCS(0), maxThreads)
		}
	}
	for i, opt := range opts {
		if opt == nil {
			return o, guestErr(m.name, "", ErrOption, "option %d is nil", i)
		}
		opt(&o)
	}
	if o.engineOnly != "" {
		return o, guestErr(m.name, "", ErrOption, "%s configures an engine: give it to NewEngine", o.engineOnly)
	}
	return o, nil
}

const (
	// defaultMemoryLimit is the most linear memory, in bytes, an instance
	// may have unless WithMemoryLimit says otherwise: 1 GiB.
	defaultMemoryLimit = 1 << 30

	// maxTableElements bounds the table of every instance and thread
	// (about 1 MiB of host memory): table.grow past it returns -1. The
	// largest table among the repository's guests is the Go guest's, 5,923.
	maxTableElements = 1 << 16
)

// WithMemoryLimit sets the most linear memory, in bytes, the instance may
// have: a module whose memory starts larger fails Instantiate with
// ErrLimit, before any of it is reserved, and memory.grow past it returns
// -1. It must be at least one 64 KiB page and at most 4 GiB (a 32-bit
// memory's whole range); the default is 1 GiB. A threaded
// guest's shared memory is made with at most the smaller of this and
// 1 GiB. Every store of an instance (each thread has one) is also
// held to one memory, one table of at most 65,536 elements and
// one instance.
func WithMemoryLimit(bytes int64) Option {
	return func(o *options) { o.memLimit = bytes }
}

// WithThreads sets the number of threads, 1 to 64, a threaded guest
// (one of the threads protocol, world threads of wit/vector.wit) runs each kernel on: the calling thread plus
// threads-1 workers spawned once at Instantiate. The default is
// runtime.GOMAXPROCS(0), at most 64. A guest that is not threaded
// accepts only WithThreads(1); anything else makes Instantiate return
// ErrOption.
func WithThreads(threads int) Option {
	return func(o *options) { o.threads, o.threadsSet = threads, true }
}

// WithDeadlines builds the engine with Wasmtime's epoch interruption, which
// WithTimeout, Instance.Bind and Pool.Do need to stop a running call (an
// infinite loop included). It has a price: compiled code
// checks the epoch at every function entry and loop back-edge, which slows
// tight loops (up to about 2 times; BenchmarkDeadlines, and
// docs/performance.md and docs/rayon-scaling.md for measured runs). Use it
// for guests you do not trust. Without it, a threaded guest's deadline is
// cooperative (see WithTimeout): it asks the guest to stop, through its
// stop word, and ends the instance only when the guest does not.
//
// It configures an engine: given to Instantiate, Load or NewPool it is
// ErrOption.
func WithDeadlines() Option {
	return func(o *options) { o.deadlines, o.engineOnly = true, "WithDeadlines" }
}

// Compiling costs time and memory that Wasmtime 39 offers no way to bound
// or cancel once it has started, and that grow with the number of
// functions more than with the bytes (docs/security.md has the measured
// costs; the largest guest here, the Go guest, has 1,827 functions in
// 2.6 MB). So Compile refuses, before compiling, a module over either
// limit.
const (
	// defaultMaxModuleBytes is the largest module Compile accepts unless
	// WithCompileLimits says otherwise: 8 MiB.
	defaultMaxModuleBytes = 8 << 20
	// defaultMaxFunctions is the most functions a module Compile accepts
	// may define, unless WithCompileLimits says otherwise: 20,000 (about
	// 0.7 s and 150 MB to compile at the rates above).
	defaultMaxFunctions = 20_000
)

// WithCompileLimits sets the largest module, in bytes, and the most
// functions it may define, that Compile accepts (defaults 8 MiB and
// 20,000 functions); a module over either
// gets ErrLimit before any compiling. 0 keeps a default. It configures an
// engine: given to Instantiate, Load or NewPool it is ErrOption.
func WithCompileLimits(maxBytes, maxFunctions int) Option {
	return func(o *options) {
		if maxBytes > 0 {
			o.maxBytes = maxBytes
		}
		if maxFunctions > 0 {
			o.maxFuncs = maxFunctions
		}
		o.engineOnly = "WithCompileLimits"
	}
}

// WithTimeout bounds every kernel call of the instance by d, and its
// instantiation: a call still running after d returns ErrDeadline, within
// about a millisecond (a threaded guest's within about 2 ms, even when its
// calling thread sleeps in a wait). 0 (the default) means no bound for
// calls, and 10 seconds for the instantiation.
//
// A threaded guest's calls return at d on any engine (its calling thread
// runs on a goroutine of the instance's own):
//
//   - On an engine made WithDeadlines its threads are interrupted: the
//     hostile-guest guarantee. The call returns ErrDeadline with
//     ErrClosed; the instance is done.
//   - On another engine the deadline is cooperative when the guest has a
//     stop word (the Rust kit's threaded guests do): the host raises it,
//     and a guest that looks at it and returns within StopGrace (100 ms)
//     makes the call return ErrDeadline, never a success, and the instance
//     serves on: it stopped where it chose to. This costs no epoch checks
//     (docs/performance.md measures both) and promises nothing of a guest
//     that does not look: past StopGrace, or for a guest with no stop word,
//     the call returns ErrDeadline with ErrClosed, the guest's own abort
//     checks end its threads, and a thread that never looks stays running,
//     counted as stuck.
//
// Instance.Bind and Pool.Do's context end a call the same way. A guest
// that is not threaded can only be stopped by epoch checks: Instantiate
// returns ErrOption for a positive d on an engine not made WithDeadlines,
// and for a negative d.
//
// To end a threaded guest's call early without a deadline, and keep the
// instance, use Instance.Stop: the call then returns the guest's own status.
func WithTimeout(d time.Duration) Option {
	return func(o *options) { o.timeout = d }
}

// WithOutput sends what the guest writes to its standard output (fd 1) and
// standard error (fd 2) to stdout and stderr; a nil writer drops that
// stream, which is also what happens without this option. At most 1 MiB
// per call (or per instantiation) is passed on; the guest is told
// everything was written either way, and a writer's errors are ignored, so
// a guest cannot fail or block on its output.
//
// The writers get a call's output after the call, in the order written:
// once the call has released the instance's lock and before it returns,
// on the caller's goroutine. So a writer may call the instance itself
// (Call, InPlace, Close), and a slow writer neither holds the guest nor
// counts against the call's deadline (WithTimeout, Bind): the guest's
// result stands, and the call returns when the writer has run. (A
// threaded guest's threads may write between calls; that output goes out
// after the next call.) An instance's writes are made one at a time;
// writers shared by several instances (a Pool's, or os.Stderr) must allow
// concurrent use.
// Independent of this option, a trap keeps the call's stderr (its first
// and last 512 bytes) in Trap.Stderr.
func WithOutput(stdout, stderr io.Writer) Option {
	return func(o *options) { o.stdout, o.stderr = stdout, stderr }
}
