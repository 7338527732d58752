//go:build !windows

package backup

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// linkIn makes name in the folder a hard link to file p. The link is made
// with linkat(2) from a handle of p's folder opened through its drive's
// root (the drain's scope's handle, when one is open: see
// fsroot.Drives.FolderFile), with no flag: a symbolic link is never
// followed and the path cannot leave the drive. Any error (another file
// system, links not allowed, too many links) tells the caller to copy
// instead.
func (s *Store) linkIn(p ops.Path, name string) error {
	pf, release, err := s.d.FolderFile(p.Parent())
	if err != nil {
		return err
	}
	defer release()
	return linkat(pf, p.Base(), s.dirf, name)
}

// linkOut makes tmp (a name in a folder that exists) a hard link to
// backup name, as linkIn does the other way.
func (s *Store) linkOut(name string, tmp ops.Path) error {
	pf, release, err := s.d.FolderFile(tmp.Parent())
	if err != nil {
		return err
	}
	defer release()
	return linkat(s.dirf, name, pf, tmp.Base())
}

// linkat links oldname in folder from as newname in folder to.
func linkat(from *os.File, oldname string, to *os.File, newname string) error {
	err := fsroot.WithFolderFDs(from, to, func(ofd, nfd int) error {
		return unix.Linkat(ofd, oldname, nfd, newname, 0)
	})
	if err != nil {
		return fmt.Errorf("link %s: %w", newname, err)
	}
	return nil
}

// clearForRename readies file rel of root (whose Lstat is fi) to be
// replaced by a rename: nothing to do on Unix.
func clearForRename(*os.Root, string, os.FileInfo) error { return nil }
