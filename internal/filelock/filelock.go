// Package filelock takes an exclusive, advisory lock on a lock file, so that
// several processes (several `smswork add`, or `add` beside `run`) that
// rewrite the same SMS.INI take turns. The lock is released when the holder
// closes it or dies, so a crash never leaves it stuck.
package filelock

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
)

// ErrTimeout is returned by Lock when the lock was not had in time.
var ErrTimeout = errors.New("lock is held by another process")

// Lock is a held lock; Unlock releases it.
type Lock struct {
	f *os.File
}

// Acquire opens (creating it if needed) the lock file at path and takes an
// exclusive lock on it, waiting until ctx is done. The lock file itself is
// never removed: removing it would let two processes lock two inodes.
func Acquire(ctx context.Context, path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock file %s: %w", path, err)
	}
	delay := time.Millisecond
	for {
		ok, err := tryLock(f)
		if err != nil {
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, err)
		}
		if ok {
			return &Lock{f: f}, nil
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			_ = f.Close()
			return nil, fmt.Errorf("lock %s: %w", path, ErrTimeout)
		case <-t.C:
		}
		if delay < 50*time.Millisecond {
			delay *= 2
		}
	}
}

// Unlock releases the lock.
func (l *Lock) Unlock() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := unlock(l.f)
	if cerr := l.f.Close(); err == nil {
		err = cerr
	}
	l.f = nil
	return err
}
