// Package files reads files whose path someone else may control (a module
// given to wasmvec inspect, an entry of CompileCached's cache): a regular
// file only, and never more than a bound, so that /dev/zero, a FIFO, a
// symbolic link to either or a huge file cannot hang or exhaust the
// process.
package files

import (
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
)

// ErrNotRegular is the error for a path that is not a regular file (a
// device, a FIFO, a socket, a directory), or with NoFollow a symbolic link.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is the error for a file larger than the bound.
var ErrTooLarge = errors.New("file too large")

// NoFollow refuses a symbolic link at the path's last element.
const NoFollow = true

// ReadRegular returns the contents of the regular file at path, of at most
// max bytes. It opens the file without blocking (a FIFO with no writer
// would block an ordinary open), refuses anything but a regular file
// (ErrNotRegular) and a symbolic link when noFollow is set, and reads at
// most max+1 bytes: a larger file (even one whose size grows as it is
// read) is ErrTooLarge. Errors wrap the file system's with the path.
func ReadRegular(path string, max int64, noFollow bool) ([]byte, error) {
	flags := os.O_RDONLY | syscall.O_NONBLOCK
	if noFollow {
		flags |= syscall.O_NOFOLLOW
	}
	f, err := os.OpenFile(path, flags, 0)
	if err != nil {
		if noFollow && errors.Is(err, syscall.ELOOP) {
			return nil, fmt.Errorf("%s: %w (a symbolic link)", path, ErrNotRegular)
		}
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: %w (%v)", path, ErrNotRegular, fi.Mode().Type())
	}
	if fi.Size() > max {
		return nil, fmt.Errorf("%s: %w: %d bytes, at most %d", path, ErrTooLarge, fi.Size(), max)
	}
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(data)) > max {
		return nil, fmt.Errorf("%s: %w: more than %d bytes", path, ErrTooLarge, max)
	}
	return data, nil
}
