package files

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestReadRegular: a regular file within the bound is read; /dev/zero, a
// FIFO with no writer, a directory, a symbolic link (with NoFollow) and a
// file past the bound are refused at once, without reading past the bound.
func TestReadRegular(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok")
	if err := os.WriteFile(ok, []byte("hello"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, err := ReadRegular(ok, 5, NoFollow); err != nil || string(b) != "hello" {
		t.Fatalf("regular file: %q, %v", b, err)
	}
	if _, err := ReadRegular(ok, 4, NoFollow); !errors.Is(err, ErrTooLarge) {
		t.Errorf("5 bytes under a bound of 4: %v, want ErrTooLarge", err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(ok, link); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(dir, "zero")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path     string
		noFollow bool
	}{{"/dev/zero", false}, {fifo, false}, {dir, false}, {link, NoFollow}, {zero, false}, {zero, NoFollow}} {
		done := make(chan error, 1)
		go func() { _, err := ReadRegular(c.path, 1<<20, c.noFollow); done <- err }()
		select {
		case err := <-done:
			if !errors.Is(err, ErrNotRegular) {
				t.Errorf("%s (noFollow %v): %v, want ErrNotRegular", c.path, c.noFollow, err)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: blocked", c.path)
		}
	}
}
