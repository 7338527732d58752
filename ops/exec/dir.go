package exec

import (
	"context"
	"fmt"
	"strings"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// mdKind is md PATH: the folder is made, with its missing parents.
type mdKind struct{}

func (mdKind) prepare(e *Executor, op *ops.Op, _ uint64) (*ops.Intent, error) {
	return e.prepareOne(op.Src, true)
}

func (mdKind) check(op *ops.Op, in *ops.Intent) error { return checkOne(op, in) }

func (mdKind) execute(_ context.Context, e *Executor, _ *ops.Op, in *ops.Intent, _ func(*ops.Intent) error, res *ops.Result) {
	e.execMD(in.Items[0], res)
}

// effects: a folder is at the path (and at each parent it lacked).
func (mdKind) effects(_ *ops.Op, in *ops.Intent, _ *results) []Effect {
	if in == nil || len(in.Items) != 1 {
		return nil
	}
	return []Effect{{Change: MadeDir, Path: in.Items[0].Src}}
}

// rdKind is rd PATH: the folder is removed; with /s, all it holds too.
type rdKind struct{}

func (rdKind) prepare(e *Executor, op *ops.Op, _ uint64) (*ops.Intent, error) {
	if op.Src.Rel == "" {
		return nil, fmt.Errorf("%w: %s: rd of a drive root", ErrBadPath, op.Src)
	}
	return e.prepareOne(op.Src, false)
}

func (rdKind) check(op *ops.Op, in *ops.Intent) error { return checkOne(op, in) }

func (rdKind) execute(_ context.Context, e *Executor, op *ops.Op, in *ops.Intent, _ func(*ops.Intent) error, res *ops.Result) {
	e.execRD(op, in.Items[0], res)
}

// effects: the folder is gone, with all below it for /s.
func (rdKind) effects(op *ops.Op, in *ops.Intent, r *results) []Effect {
	if in == nil {
		return r.fromResult(RemovedDir, op.Recursive)
	}
	if len(in.Items) != 1 {
		return nil
	}
	return []Effect{r.mark(Effect{Change: RemovedDir, Path: in.Items[0].Src, Tree: op.Recursive})}
}

// execMD creates a folder and any missing parents through the drive's
// root, then syncs every folder on the way to it (those created, and the
// one that gained the first new entry). An existing folder is already
// done; an existing file is a failure.
func (e *Executor) execMD(it ops.Item, res *ops.Result) {
	root, err := e.Drives.Root(it.Src.Drive)
	if err != nil {
		setFailed(res, err)
		return
	}
	e.failpoint("md.before-mkdir")
	exists, isDir, err := statKind(root, it.Src.Rel, true)
	if err != nil {
		setFailed(res, fmt.Errorf("%s: %w", it.Src, err))
		return
	}
	if exists && !isDir {
		setFailed(res, fmt.Errorf("%s exists and is not a folder", it.Src))
		return
	}
	if !exists {
		if err := root.MkdirAll(ops.RootName(it.Src.Rel), 0o755); err != nil {
			setFailed(res, fmt.Errorf("create folder %s: %w", it.Src, err))
			return
		}
	}
	// A crash may have come between a creation and its sync: sync every
	// parent, whether this call created the folder or found it.
	if err := syncParents(e.Drives, it.Src); err != nil {
		setFailed(res, err)
		return
	}
	res.Files = append(res.Files, ops.FileResult{Path: it.Src})
	setDone(res, !exists)
}

// syncParents syncs each folder from the drive root down to p's parent.
func syncParents(d *fsroot.Drives, p ops.Path) error {
	if p.Rel == "" {
		return nil
	}
	dir := ""
	if err := d.SyncFolder(ops.Path{Drive: p.Drive}); err != nil {
		return err
	}
	elems := strings.Split(p.Rel, "/")
	for _, el := range elems[:len(elems)-1] {
		dir = ops.JoinRel(dir, el)
		if err := d.SyncFolder(ops.Path{Drive: p.Drive, Rel: dir}); err != nil {
			return err
		}
	}
	return nil
}

// execRD removes a folder: it must be empty unless /s, which removes it
// with all it holds (links inside are removed, never followed). An absent
// folder is already done; the parent folder is synced either way.
func (e *Executor) execRD(op *ops.Op, it ops.Item, res *ops.Result) {
	root, err := e.Drives.Root(it.Src.Drive)
	if err != nil {
		setFailed(res, err)
		return
	}
	if it.Src.Rel == "" {
		setFailed(res, fmt.Errorf("%w: %s: rd of a drive root", ErrBadPath, it.Src))
		return
	}
	e.failpoint("rd.before-remove")
	fi, err := root.Lstat(ops.RootName(it.Src.Rel))
	switch {
	case err == nil && !fi.IsDir():
		setFailed(res, fmt.Errorf("%s is not a folder", it.Src))
		return
	case err == nil && op.Recursive:
		if err := root.RemoveAll(ops.RootName(it.Src.Rel)); err != nil {
			setFailed(res, fmt.Errorf("remove folder %s: %w", it.Src, err))
			return
		}
	case err == nil:
		empty, err := fsroot.IsEmptyDir(root, it.Src.Rel)
		if err != nil {
			setFailed(res, fmt.Errorf("read folder %s: %w", it.Src, err))
			return
		}
		if !empty {
			setFailed(res, fmt.Errorf("folder %s is not empty (rd /s removes it with its contents)", it.Src))
			return
		}
		if err := root.Remove(ops.RootName(it.Src.Rel)); err != nil {
			setFailed(res, fmt.Errorf("remove folder %s: %w", it.Src, err))
			return
		}
	case !fsroot.IsNotExist(err):
		setFailed(res, fmt.Errorf("%s: %w", it.Src, err))
		return
	}
	existed := err == nil
	if err := e.Drives.SyncFolder(it.Src.Parent()); err != nil {
		setFailed(res, err)
		return
	}
	res.Files = append(res.Files, ops.FileResult{Path: it.Src, Absent: !existed})
	setDone(res, existed)
}
