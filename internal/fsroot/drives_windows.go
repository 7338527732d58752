//go:build windows

package fsroot

import (
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// nativeRootDir is the host folder of native absolute paths: Windows has
// none, every path names a drive.
func nativeRootDir() (string, error) {
	return "", fmt.Errorf("%w: a path without a drive letter has no meaning on Windows", ErrDriveUnmapped)
}

// nativeDriveDir is the host folder of an unmapped drive letter: the
// drive itself.
func nativeDriveDir(letter string) (string, error) { return letter + `:\`, nil }

// SyncRootDir is a no-op on Windows, as SyncDir is: NTFS journals
// folder entries with the file's metadata, and folders cannot be opened
// for FlushFileBuffers without backup privileges.
func SyncRootDir(*os.Root, string) error { return nil }

func syncRootDir(*os.Root, string, string) error { return nil }

// foldersSync is false: Windows does not sync folders (see SyncRootDir).
const foldersSync = false

func syncFolderFile(*os.File, string) error { return nil }

// DeviceID cannot tell volumes apart inside one drive on Windows; moves
// between different drive letters are already cross-device.
func DeviceID(*os.Root, string) (uint64, bool) { return 0, false }

// isInUse reports a sharing or lock violation: the file is held open by
// another process, and the operation may succeed at the next boot.
func isInUse(err error) bool {
	return errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}

// ReadOnlyBlocksDelete reports whether fi carries the read-only attribute,
// which del only overrides with /f.
func ReadOnlyBlocksDelete(fi os.FileInfo) bool {
	return fi.Mode().IsRegular() && fi.Mode().Perm()&0o200 == 0
}

// ClearReadOnly clears the read-only attribute of rel in root so that
// del /f can remove it.
func ClearReadOnly(root *os.Root, rel string, fi os.FileInfo) error {
	if fi.Mode().Perm()&0o200 != 0 {
		return nil
	}
	if err := root.Chmod(relName(rel), fi.Mode().Perm()|0o200); err != nil {
		return fmt.Errorf("clear read-only: %w", err)
	}
	return nil
}

// SyncRootFile is a no-op on Windows: NTFS journals a file's times with
// its metadata, and a read-only handle cannot be flushed.
func SyncRootFile(*os.Root, string) error { return nil }

// RenameInUse explains a rename over dst (rel in root) that failed:
// Windows refuses to replace a file another process holds open with
// ERROR_ACCESS_DENIED, the error a permission problem gives too. Opening
// dst for writing (without truncating) tells them apart: a sharing
// violation means the file is in use, and the error returned then
// satisfies IsInUse. Any other error is returned as it is.
func RenameInUse(root *os.Root, rel string, err error) error {
	if !errors.Is(err, windows.ERROR_ACCESS_DENIED) {
		return err
	}
	f, oerr := root.OpenFile(relName(rel), os.O_WRONLY, 0)
	if oerr == nil {
		_ = f.Close()
		return err
	}
	if isInUse(oerr) {
		return fmt.Errorf("%w: in use by another program (%w)", err, oerr)
	}
	return err
}

// IsInUse reports whether err comes from a file held open by another
// process (a Windows sharing or lock violation): the operation may succeed
// at the next boot, so its entry must stay queued.
func IsInUse(err error) bool { return errors.Is(err, ErrInUse) || isInUse(err) }

// ProbeInUse reports whether file rel of root is held open by another
// program now (a sharing or lock violation on opening it for writing,
// which changes nothing): what plan says will be handed to Session
// Manager. A file that cannot be opened for another reason is not in use.
func ProbeInUse(root *os.Root, rel string) bool {
	f, err := root.OpenFile(relName(rel), os.O_WRONLY, 0)
	if err != nil {
		return isInUse(err)
	}
	_ = f.Close()
	return false
}
