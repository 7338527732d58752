package exec

import (
	"context"
	"fmt"
	"os"
	"strings"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// mdKind is md PATH: the folder is made, with its missing parents.
type mdKind struct{}

func (mdKind) prepare(e *Executor, op *ops.Op, _ uint64) (*ops.Intent, error) {
	in, err := e.prepareOne(op.Src, true)
	if err != nil {
		return nil, err
	}
	it := &in.Items[0]
	if it.SrcExists {
		return in, nil
	}
	first, err := firstMissing(e.Drives, it.Src)
	if err != nil {
		return nil, err
	}
	it.FirstMissing = first
	return in, nil
}

// firstMissing returns the shallowest folder on the way to p (p included)
// that is absent, given that p is: it walks up from p's parent while the
// folder there is missing.
func firstMissing(d *fsroot.Drives, p ops.Path) (string, error) {
	if _, err := d.Root(p.Drive); err != nil {
		return "", err
	}
	first := p.Rel
	for {
		parent, _ := ops.SplitRel(first)
		if parent == "" {
			return first, nil
		}
		exists, _, err := statKind(d, ops.Path{Drive: p.Drive, Rel: parent}, false)
		if err != nil {
			return "", fmt.Errorf("%s: %w", p, err)
		}
		if exists {
			return first, nil
		}
		first = parent
	}
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
	exists, isDir, err := statKind(e.Drives, it.Src, true)
	if err != nil {
		setFailed(res, fmt.Errorf("%s: %w", it.Src, err))
		return
	}
	if exists && !isDir {
		setFailed(res, fmt.Errorf("%s exists and is not a folder", it.Src))
		return
	}
	if !exists {
		if err := mkdirAll(e.Drives, root, it); err != nil {
			setFailed(res, fmt.Errorf("create folder %s: %w", it.Src, err))
			return
		}
	}
	// Sync the folder that gained the first new entry, and each folder made
	// below it. A crash may have come between a creation and its sync, so
	// this is done whether this call made the folders or a previous attempt
	// of the same intent did. The folders above the first one that was
	// missing when the intent was made existed before the operation: their
	// entries are prior state, which no operation syncs (a copy does not
	// sync its destination folder's parents either), so they need no sync.
	// An intent without FirstMissing (the folder existed, or an old
	// journal) syncs every parent, as before.
	if err := syncMade(e.Drives, it); err != nil {
		setFailed(res, err)
		return
	}
	res.Files = append(res.Files, ops.FileResult{Path: it.Src})
	setDone(res, !exists)
}

// mkdirAll creates folder it.Src and any missing parents. When only the
// last is missing (it.FirstMissing), it is made through the handle of the
// drain's scope on its parent, else through the drive's root (os.Root's
// MkdirAll). The scope forgets what it knew of the folders made (that they
// could not be opened), before and after.
func mkdirAll(d *fsroot.Drives, root *os.Root, it ops.Item) error {
	made := it.Src
	if it.FirstMissing != "" {
		made.Rel = it.FirstMissing
	}
	d.ForgetFolder(made)
	defer d.ForgetFolder(made)
	if made == it.Src {
		folder, name, err := d.At(it.Src)
		if err != nil {
			return err
		}
		if err := folder.Mkdir(name, 0o755); err == nil || !fsroot.IsNotExist(err) {
			return err
		}
		// A parent is missing after all (removed since the intent was
		// made): MkdirAll makes it, as it would have.
	}
	return root.MkdirAll(ops.RootName(it.Src.Rel), 0o755)
}

// syncMade syncs the folders mdSyncFolders names for it.
func syncMade(d *fsroot.Drives, it ops.Item) error {
	for _, dir := range mdSyncFolders(it) {
		if err := d.SyncFolder(ops.Path{Drive: it.Src.Drive, Rel: dir}); err != nil {
			return err
		}
	}
	return nil
}

// mdSyncFolders lists, top down, the folders an md of it syncs: the
// parent of it.FirstMissing and every folder from it down to it.Src's
// parent. Without a FirstMissing on the way to it.Src (the folder existed,
// or an intent from an older journal), every folder from the drive root
// down to it.Src's parent.
func mdSyncFolders(it ops.Item) []string {
	first, rel := it.FirstMissing, it.Src.Rel
	if rel == "" {
		return nil
	}
	if first == "" || (first != rel && !strings.HasPrefix(rel, first+"/")) {
		first = rel[:strings.IndexByte(rel+"/", '/')]
	}
	parent, _ := ops.SplitRel(first)
	dirs := []string{parent}
	for dir := first; dir != rel; {
		dirs = append(dirs, dir)
		next := strings.IndexByte(rel[len(dir)+1:], '/')
		if next < 0 {
			break
		}
		dir = rel[:len(dir)+1+next]
	}
	return dirs
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
	// The scope forgets the folder removed (and all inside it), before and
	// after.
	e.Drives.ForgetFolder(it.Src)
	defer e.Drives.ForgetFolder(it.Src)
	folder, name, err := e.Drives.At(it.Src)
	if err != nil {
		setFailed(res, err)
		return
	}
	fi, err := folder.Lstat(name)
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
		empty, err := fsroot.IsEmptyDir(folder, name)
		if err != nil {
			setFailed(res, fmt.Errorf("read folder %s: %w", it.Src, err))
			return
		}
		if !empty {
			setFailed(res, fmt.Errorf("folder %s is not empty (rd /s removes it with its contents)", it.Src))
			return
		}
		if err := folder.Remove(name); err != nil {
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
