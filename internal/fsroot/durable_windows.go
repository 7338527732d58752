//go:build windows

package fsroot

import (
	"fmt"
	"os"

	"golang.org/x/sys/windows"
)

// syncDir is a no-op on Windows: NTFS journals folder entries with the
// file's metadata, and MoveFileEx with MOVEFILE_WRITE_THROUGH does not
// return until the rename is on disk. Folders cannot be opened for
// FlushFileBuffers without backup privileges.
func syncDir(string) error { return nil }

func rename(oldpath, newpath string) error {
	from, err := windows.UTF16PtrFromString(oldpath)
	if err != nil {
		return err
	}
	to, err := windows.UTF16PtrFromString(newpath)
	if err != nil {
		return err
	}
	return windows.MoveFileEx(from, to, windows.MOVEFILE_REPLACE_EXISTING|windows.MOVEFILE_WRITE_THROUGH)
}

func copyOwner(*os.File, os.FileInfo) error { return nil }

const keptAttrs = windows.FILE_ATTRIBUTE_HIDDEN | windows.FILE_ATTRIBUTE_SYSTEM | windows.FILE_ATTRIBUTE_READONLY

// getAttrs reads the Hidden, System and ReadOnly attributes of path; the KB
// article warns that SMS.INI is Hidden and must stay so.
func getAttrs(path string) (uint32, error) {
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return 0, err
	}
	a, err := windows.GetFileAttributes(p)
	if err != nil {
		return 0, fmt.Errorf("read attributes of %s: %w", path, err)
	}
	if a&windows.FILE_ATTRIBUTE_READONLY != 0 {
		// A read-only target refuses MoveFileEx; clear it, restore after.
		if err := windows.SetFileAttributes(p, a&^windows.FILE_ATTRIBUTE_READONLY); err != nil {
			return 0, fmt.Errorf("clear read-only on %s: %w", path, err)
		}
	}
	return a & keptAttrs, nil
}

// setAttrs puts back the attributes getAttrs read, which a rename drops.
func setAttrs(path string, attrs uint32) error {
	if attrs == 0 {
		return nil
	}
	p, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return err
	}
	a, err := windows.GetFileAttributes(p)
	if err != nil {
		return fmt.Errorf("read attributes of %s: %w", path, err)
	}
	if err := windows.SetFileAttributes(p, (a&^keptAttrs)|attrs); err != nil {
		return fmt.Errorf("restore attributes of %s: %w", path, err)
	}
	return nil
}
