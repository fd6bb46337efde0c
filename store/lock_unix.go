//go:build unix

package store

import (
	"errors"
	"os"
	"syscall"
)

// lockExclusive takes an exclusive, non-blocking advisory lock on f
// (flock). errLocked means another process holds it.
func lockExclusive(f *os.File) error {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	if errors.Is(err, syscall.EWOULDBLOCK) {
		return errLocked
	}
	return err
}

// unlock releases the lock lockExclusive took.
func unlock(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
}
