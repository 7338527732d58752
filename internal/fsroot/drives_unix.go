//go:build !windows

package fsroot

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

// SyncRootDir makes the entries of folder rel of root durable. Like
// SyncDir it tolerates file systems that cannot sync a folder.
func SyncRootDir(root *os.Root, rel string) error { return syncRootDir(root, rel, rel) }

// syncRootDir is SyncRootDir of folder rel of root, named shown in errors.
func syncRootDir(root *os.Root, rel, shown string) error {
	d, err := root.Open(relName(rel))
	if err != nil {
		return fmt.Errorf("open folder %s: %w", shown, err)
	}
	err = syncFolderFile(d, shown)
	if cerr := d.Close(); err == nil && cerr != nil {
		err = fmt.Errorf("close folder %s: %w", shown, cerr)
	}
	return err
}

// foldersSync says the platform syncs folders (see syncFolderFile).
const foldersSync = true

// syncFolderFile fsyncs folder d, named shown in errors, tolerating file
// systems that cannot sync a folder.
func syncFolderFile(d *os.File, shown string) error {
	if err := d.Sync(); err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return fmt.Errorf("sync folder %s: %w", shown, err)
	}
	return nil
}

// DeviceID returns the device of folder rel of root (st_dev), following
// symbolic links inside the root; ok is false when it cannot be told.
func DeviceID(root *os.Root, rel string) (dev uint64, ok bool) {
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

// ReadOnlyBlocksDelete reports whether fi, being read-only, may only be
// deleted with /f. On Unix deleting a file needs no write permission on it.
func ReadOnlyBlocksDelete(os.FileInfo) bool { return false }

// ClearReadOnly lets del /f remove a read-only file: nothing to do on Unix.
func ClearReadOnly(*os.Root, string, os.FileInfo) error { return nil }

// SyncRootFile makes the metadata of file rel of root (a time set by
// Chtimes) durable.
func SyncRootFile(root *os.Root, rel string) error {
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

// IsInUse reports whether err comes from a file held open by another
// process (a Windows sharing or lock violation): never on Unix.
func IsInUse(err error) bool { return errors.Is(err, ErrInUse) || isInUse(err) }

// ProbeInUse is false on Unix: a file held open never stops a rename over
// it or its removal.
func ProbeInUse(*os.Root, string) bool { return false }
