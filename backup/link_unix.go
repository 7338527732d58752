//go:build !windows

package backup

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"smswork/ops"
)

// linkIn makes name in the folder a hard link to file p. The link is made
// with linkat(2) from a handle of p's folder opened through its drive's
// root, with no flag: a symbolic link is never followed and the path
// cannot leave the drive. Any error (another file system, links not
// allowed, too many links) tells the caller to copy instead.
func (s *Store) linkIn(p ops.Path, name string) error {
	root, err := s.d.Root(p.Drive)
	if err != nil {
		return err
	}
	dir, base := ops.SplitRel(p.Rel)
	pf, err := root.Open(ops.RootName(dir))
	if err != nil {
		return err
	}
	defer pf.Close()
	return linkat(pf, base, s.dirf, name)
}

// linkOut makes tmp (a name in a folder that exists) a hard link to
// backup name, as linkIn does the other way.
func (s *Store) linkOut(name string, tmp ops.Path) error {
	root, err := s.d.Root(tmp.Drive)
	if err != nil {
		return err
	}
	dir, base := ops.SplitRel(tmp.Rel)
	pf, err := root.Open(ops.RootName(dir))
	if err != nil {
		return err
	}
	defer pf.Close()
	return linkat(s.dirf, name, pf, base)
}

// linkat links oldname in folder from as newname in folder to.
func linkat(from *os.File, oldname string, to *os.File, newname string) error {
	fc, err := from.SyscallConn()
	if err != nil {
		return err
	}
	tc, err := to.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	err = fc.Control(func(ofd uintptr) {
		err := tc.Control(func(nfd uintptr) {
			lerr = unix.Linkat(int(ofd), oldname, int(nfd), newname, 0)
		})
		if lerr == nil {
			lerr = err
		}
	})
	if err == nil {
		err = lerr
	}
	if err != nil {
		return fmt.Errorf("link %s: %w", newname, err)
	}
	return nil
}

// clearForRename readies file rel of root (whose Lstat is fi) to be
// replaced by a rename: nothing to do on Unix.
func clearForRename(*os.Root, string, os.FileInfo) error { return nil }
