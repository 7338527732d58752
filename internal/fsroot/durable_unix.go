//go:build !windows

package fsroot

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

func syncDir(dir string) error {
	// Raw calls, not os.Open: an *os.File costs Go's attempt to add it to
	// the poller (four fcntl calls and an epoll_ctl that fails for a
	// folder), five calls more than the open, fsync and close the sync of
	// a folder needs, and a del or a copy over a file syncs the backup
	// folder every time.
	fd, err := openDir(dir)
	if err != nil {
		return fmt.Errorf("open folder %s: %w", dir, &os.PathError{Op: "open", Path: dir, Err: err})
	}
	err = ignoringEINTR(func() error { return syscall.Fsync(fd) })
	if cerr := syscall.Close(fd); err == nil && cerr != nil {
		err = &os.PathError{Op: "close", Path: dir, Err: cerr}
	}
	if err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return fmt.Errorf("sync folder %s: %w", dir, err)
	}
	return nil
}

// openDir opens folder dir read-only for its fsync.
func openDir(dir string) (fd int, err error) {
	err = ignoringEINTR(func() (err error) {
		fd, err = syscall.Open(dir, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_DIRECTORY, 0)
		return err
	})
	return fd, err
}

// ignoringEINTR calls fn again while it fails with EINTR (a signal; Go's
// own file calls do the same).
func ignoringEINTR(fn func() error) error {
	for {
		if err := fn(); !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

func rename(oldpath, newpath string) error { return os.Rename(oldpath, newpath) }

// copyOwner gives f the owner and group of old when they differ. An
// unprivileged caller that cannot chown keeps its own (the file is its own).
func copyOwner(f *os.File, old os.FileInfo) error {
	st, ok := old.Sys().(*syscall.Stat_t)
	if !ok {
		return nil
	}
	if err := f.Chmod(old.Mode().Perm()); err != nil {
		return err
	}
	if int(st.Uid) == os.Geteuid() && int(st.Gid) == os.Getegid() {
		return nil
	}
	if err := f.Chown(int(st.Uid), int(st.Gid)); err != nil && !errors.Is(err, syscall.EPERM) {
		return err
	}
	return nil
}

func getAttrs(string) (uint32, error) { return 0, nil }
func setAttrs(string, uint32) error   { return nil }
