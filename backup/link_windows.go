//go:build windows

package backup

import (
	"fmt"
	"os"
	"path/filepath"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// linkIn makes name in the folder a hard link to file p, by host paths
// (Windows has no linkat). Any error (another volume, FAT) tells the
// caller to copy instead.
func (s *Store) linkIn(p ops.Path, name string) error {
	host, err := s.d.HostPath(p)
	if err != nil {
		return err
	}
	return os.Link(host, filepath.Join(s.dir, name))
}

// linkOut makes tmp a hard link to backup name, by host paths.
func (s *Store) linkOut(name string, tmp ops.Path) error {
	host, err := s.d.HostPath(tmp)
	if err != nil {
		return err
	}
	return os.Link(filepath.Join(s.dir, name), host)
}

// clearForRename readies file rel of root (whose Lstat is fi) to be
// replaced by a rename: Windows refuses to rename over a read-only file,
// so such a file is removed first (removing ignores the attribute, and a
// hard link to it elsewhere keeps its attributes, unlike clearing them).
func clearForRename(root *os.Root, rel string, fi os.FileInfo) error {
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o200 != 0 {
		return nil
	}
	if err := root.Remove(ops.RootName(rel)); err != nil && !fsroot.IsNotExist(err) {
		return fmt.Errorf("remove read-only %s: %w", rel, err)
	}
	return nil
}
