package exec

import (
	"fmt"
	"os"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// sourceFiles returns the files a source names, resolved: the entries its
// wildcard matches; with folder, when it names a folder (following links
// with follow), the files directly inside it, as cmd.exe's `copy FOLDER
// DST` and `del FOLDER` mean FOLDER\*; else itself. many reports that the
// source names a set (a wildcard or a folder), however many it holds.
func (e *Executor) sourceFiles(p ops.Path, follow, folder bool) (paths []ops.Path, many bool, err error) {
	if p.HasWildcard() {
		ps, err := e.expandSources(p, follow)
		return ps, true, err
	}
	r, err := e.Drives.Resolve(p)
	if err != nil {
		return nil, false, err
	}
	if folder && r.Rel != "" {
		_, isDir, err := statKind(e.Drives, r, follow)
		if err != nil {
			return nil, false, fmt.Errorf("%s: %w", r, err)
		}
		if isDir {
			ps, err := e.expandSources(r.Join("*"), follow)
			return ps, true, err
		}
	}
	return []ops.Path{r}, false, nil
}

// dosReadOnly reports whether p, a file that exists (Lstat fi), rel in
// root (the drive's root, or a handle on its folder: fsroot.Drives.At), is
// read-only as DOS sees it. Only drive paths follow DOS's rules: a native
// Unix path keeps Unix's, where a file's mode does not stop its removal
// or replacement.
func dosReadOnly(d *fsroot.Drives, root *os.Root, rel string, p ops.Path, fi os.FileInfo) (bool, error) {
	if p.Drive == "" {
		return false, nil
	}
	ro, err := d.IsReadOnly(root, rel, fi)
	if err != nil {
		return false, fmt.Errorf("%s: %w", p, err)
	}
	return ro, nil
}

// sameFile reports whether a and b (resolved paths of d) name one file:
// the same path, or one existing file by two names (two drive letters
// mapped onto one folder, a case-insensitive file system).
func sameFile(d *fsroot.Drives, a, b ops.Path) bool {
	if a == b {
		return true
	}
	fa, err := d.Stat(a)
	if err != nil {
		return false
	}
	fb, err := d.Stat(b)
	return err == nil && os.SameFile(fa, fb)
}
