package ops

import (
	"fmt"
	"io"
	"os"
	"strings"
)

// execMD creates a folder and any missing parents through the drive's
// root, then syncs every folder on the way to it (those created, and the
// one that gained the first new entry). An existing folder is already
// done; an existing file is a failure.
func (e *Executor) execMD(it Item, res *Result) {
	root, err := e.Drives.Root(it.Src.Drive)
	if err != nil {
		res.setFailed(err)
		return
	}
	e.failpoint("md.before-mkdir")
	exists, isDir, err := statKind(root, it.Src.Rel, true)
	if err != nil {
		res.setFailed(fmt.Errorf("%s: %w", it.Src, err))
		return
	}
	if exists && !isDir {
		res.setFailed(fmt.Errorf("%s exists and is not a folder", it.Src))
		return
	}
	if !exists {
		if err := root.MkdirAll(relName(it.Src.Rel), 0o755); err != nil {
			res.setFailed(fmt.Errorf("create folder %s: %w", it.Src, err))
			return
		}
	}
	// A crash may have come between a creation and its sync: sync every
	// parent, whether this call created the folder or found it.
	if err := syncParents(e.Drives, it.Src); err != nil {
		res.setFailed(err)
		return
	}
	res.Files = append(res.Files, FileResult{Path: it.Src})
	res.setDone(!exists)
}

// syncParents syncs each folder from the drive root down to p's parent.
func syncParents(d *Drives, p Path) error {
	if p.Rel == "" {
		return nil
	}
	dir := ""
	if err := syncFolder(d, Path{Drive: p.Drive}); err != nil {
		return err
	}
	elems := strings.Split(p.Rel, "/")
	for _, el := range elems[:len(elems)-1] {
		dir = joinRel(dir, el)
		if err := syncFolder(d, Path{Drive: p.Drive, Rel: dir}); err != nil {
			return err
		}
	}
	return nil
}

// execRD removes a folder: it must be empty unless /s, which removes it
// with all it holds (links inside are removed, never followed). An absent
// folder is already done; the parent folder is synced either way.
func (e *Executor) execRD(op *Op, it Item, res *Result) {
	root, err := e.Drives.Root(it.Src.Drive)
	if err != nil {
		res.setFailed(err)
		return
	}
	if it.Src.Rel == "" {
		res.setFailed(fmt.Errorf("%w: %s: rd of a drive root", ErrBadPath, it.Src))
		return
	}
	e.failpoint("rd.before-remove")
	fi, err := root.Lstat(relName(it.Src.Rel))
	switch {
	case err == nil && !fi.IsDir():
		res.setFailed(fmt.Errorf("%s is not a folder", it.Src))
		return
	case err == nil && op.Recursive:
		if err := root.RemoveAll(relName(it.Src.Rel)); err != nil {
			res.setFailed(fmt.Errorf("remove folder %s: %w", it.Src, err))
			return
		}
	case err == nil:
		empty, err := isEmptyDir(root, it.Src.Rel)
		if err != nil {
			res.setFailed(fmt.Errorf("read folder %s: %w", it.Src, err))
			return
		}
		if !empty {
			res.setFailed(fmt.Errorf("folder %s is not empty (rd /s removes it with its contents)", it.Src))
			return
		}
		if err := root.Remove(relName(it.Src.Rel)); err != nil {
			res.setFailed(fmt.Errorf("remove folder %s: %w", it.Src, err))
			return
		}
	case !isNotExist(err):
		res.setFailed(fmt.Errorf("%s: %w", it.Src, err))
		return
	}
	existed := err == nil
	if err := syncFolder(e.Drives, parentOf(it.Src)); err != nil {
		res.setFailed(err)
		return
	}
	res.Files = append(res.Files, FileResult{Path: it.Src, Absent: !existed})
	res.setDone(existed)
}

func isEmptyDir(root *os.Root, rel string) (bool, error) {
	f, err := root.Open(relName(rel))
	if err != nil {
		return false, err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if err == io.EOF {
		return true, nil
	}
	return len(names) == 0, err
}
