//go:build !windows

package ops

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// nativeRootDir is the host folder of native absolute paths.
func nativeRootDir() (string, error) { return "/", nil }

// nativeDriveDir is the host folder of an unmapped drive letter: none on
// Unix.
func nativeDriveDir(letter string) (string, error) {
	return "", fmt.Errorf("%w: drive %s: (use --drive %s=/path/to/folder)", ErrDriveUnmapped, letter, letter)
}

// syncRootDir makes the entries of folder rel of root durable. Like
// durable.SyncDir it tolerates file systems that cannot sync a folder.
func syncRootDir(root *os.Root, rel string) error {
	d, err := root.Open(relName(rel))
	if err != nil {
		return fmt.Errorf("open folder %s: %w", rel, err)
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	if err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return fmt.Errorf("sync folder %s: %w", rel, err)
	}
	return nil
}

// deviceID returns the device of folder rel of root (st_dev), following
// symbolic links inside the root; ok is false when it cannot be told.
func deviceID(root *os.Root, rel string) (dev uint64, ok bool) {
	fi, err := root.Stat(relName(rel))
	if err != nil {
		return 0, false
	}
	st, isStat := fi.Sys().(*syscall.Stat_t)
	if !isStat {
		return 0, false
	}
	return uint64(st.Dev), true
}

// isInUse reports a Windows sharing or lock violation: never on Unix.
func isInUse(error) bool { return false }

// readOnlyBlocksDelete reports whether fi, being read-only, may only be
// deleted with /f. On Unix deleting a file needs no write permission on it.
func readOnlyBlocksDelete(os.FileInfo) bool { return false }

// clearReadOnly lets del /f remove a read-only file: nothing to do on Unix.
func clearReadOnly(*os.Root, string, os.FileInfo) error { return nil }

// syncRootFile makes the metadata of file rel of root (a time set by
// Chtimes) durable.
func syncRootFile(root *os.Root, rel string) error {
	f, err := root.Open(relName(rel))
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
