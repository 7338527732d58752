//go:build windows

package ops

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

// syncRootDir is a no-op on Windows, as durable.SyncDir is: NTFS journals
// folder entries with the file's metadata, and folders cannot be opened
// for FlushFileBuffers without backup privileges.
func syncRootDir(*os.Root, string) error { return nil }

// deviceID cannot tell volumes apart inside one drive on Windows; moves
// between different drive letters are already cross-device.
func deviceID(*os.Root, string) (uint64, bool) { return 0, false }

// isInUse reports a sharing or lock violation: the file is held open by
// another process, and the operation may succeed at the next boot.
func isInUse(err error) bool {
	return errors.Is(err, windows.ERROR_SHARING_VIOLATION) || errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}

// readOnlyBlocksDelete reports whether fi carries the read-only attribute,
// which del only overrides with /f.
func readOnlyBlocksDelete(fi os.FileInfo) bool {
	return fi.Mode().IsRegular() && fi.Mode().Perm()&0o200 == 0
}

// clearReadOnly clears the read-only attribute of rel in root so that
// del /f can remove it.
func clearReadOnly(root *os.Root, rel string, fi os.FileInfo) error {
	if fi.Mode().Perm()&0o200 != 0 {
		return nil
	}
	if err := root.Chmod(relName(rel), fi.Mode().Perm()|0o200); err != nil {
		return fmt.Errorf("clear read-only: %w", err)
	}
	return nil
}

// syncRootFile is a no-op on Windows: NTFS journals a file's times with
// its metadata, and a read-only handle cannot be flushed.
func syncRootFile(*os.Root, string) error { return nil }

// renameInUse explains a rename over dst (rel in root) that failed:
// Windows refuses to replace a file another process holds open with
// ERROR_ACCESS_DENIED, the error a permission problem gives too. Opening
// dst for writing (without truncating) tells them apart: a sharing
// violation means the file is in use, and the error returned then
// satisfies IsInUse. Any other error is returned as it is.
func renameInUse(root *os.Root, rel string, err error) error {
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
