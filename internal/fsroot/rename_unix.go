//go:build !windows

package fsroot

import (
	"os"

	"golang.org/x/sys/unix"
)

// foldersRename says the platform renames between two open folders
// (renameat).
const foldersRename = true

// renameat renames oldname in folder from to newname in folder to.
func renameat(from *os.File, oldname string, to *os.File, newname string) error {
	return WithFolderFDs(from, to, func(ofd, nfd int) error {
		return ignoringEINTR(func() error { return unix.Renameat(ofd, oldname, nfd, newname) })
	})
}

// WithFolderFDs calls fn with the descriptors of open folders from and to,
// for the *at calls that take two folders (linkat, renameat), and returns
// its error.
func WithFolderFDs(from, to *os.File, fn func(from, to int) error) error {
	fc, err := from.SyscallConn()
	if err != nil {
		return err
	}
	tc, err := to.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	err = fc.Control(func(ofd uintptr) {
		err := tc.Control(func(nfd uintptr) { ferr = fn(int(ofd), int(nfd)) })
		if ferr == nil {
			ferr = err
		}
	})
	if err == nil {
		err = ferr
	}
	return err
}
