// Package corpus reads the headers of the hostile-guest corpus
// (host/testdata/hostile): each module in the text format starts with
// comment lines that state what the host must do with it,
//
//	;; attack: what the module does
//	;; want: the sentinel error's name (ErrModule, …), or nil: the call must succeed
//	;; export: the export the *GuestError must name (optional)
//	;; call: the kernel to call after a successful load, or "every kernel"
//	;;       (absent: the error is expected from loading)
//	;; threads: WithThreads(n) (optional)
//	;; timeout: WithTimeout(d), on an engine made WithDeadlines (optional)
//	;; result: the float64 the call must return when want is nil
//	;; stderr: text the failure's *Trap (Trap.Stderr) must contain: what
//	;;         the guest wrote to stderr before it trapped (optional)
//
// The host's tests and wasmvec inspect's both read them.
package corpus

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Header is what one module's header says.
type Header struct {
	Attack, Want, Export, Call, Result, Stderr string
	Threads                                    int
	Timeout                                    time.Duration
}

// Parse reads the header of a module's text: the ";; key: value" lines at
// its top. It returns an error for a malformed threads or timeout value, or
// when there is no want line.
func Parse(src string) (Header, error) {
	var h Header
	seen := false
	for _, line := range strings.Split(src, "\n") {
		rest, ok := strings.CutPrefix(line, ";; ")
		if !ok {
			break
		}
		key, val, _ := strings.Cut(rest, ": ")
		var err error
		switch key {
		case "attack":
			h.Attack = val
		case "want":
			h.Want, seen = val, true
		case "export":
			h.Export = val
		case "call":
			h.Call = val
		case "result":
			h.Result = val
		case "stderr":
			h.Stderr = val
		case "threads":
			h.Threads, err = strconv.Atoi(val)
		case "timeout":
			h.Timeout, err = time.ParseDuration(val)
		}
		if err != nil {
			return h, fmt.Errorf("corpus header %q: %w", line, err)
		}
	}
	if !seen {
		return h, errors.New("corpus header: no want line")
	}
	return h, nil
}
