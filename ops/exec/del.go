package exec

import (
	"context"
	"fmt"
	"strings"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// delKind is del PATH: every file PATH names is removed.
type delKind struct{}

func (delKind) prepare(e *Executor, op *ops.Op, _ uint64) (*ops.Intent, error) {
	return e.prepareDel(op)
}

func (delKind) check(*ops.Op, *ops.Intent) error { return nil }

func (delKind) execute(_ context.Context, e *Executor, op *ops.Op, in *ops.Intent, step func(*ops.Intent) error, res *ops.Result) {
	e.execDel(op, in, step, res)
}

// effects: each file is removed.
func (delKind) effects(_ *ops.Op, in *ops.Intent, r *results) []Effect {
	if in == nil {
		return r.fromResult(Removed, false)
	}
	out := make([]Effect, 0, len(in.Items))
	for _, it := range in.Items {
		out = append(out, r.mark(Effect{Change: Removed, Path: it.Src}))
	}
	return out
}

// prepareDel is the intent of del: one item per file named or matched,
// with its state (a file already absent is kept: Execute records it). A
// folder named means the files directly inside it, as cmd.exe's `del
// FOLDER` is `del FOLDER\*`: the folder and its subfolders stay.
func (e *Executor) prepareDel(op *ops.Op) (*ops.Intent, error) {
	srcs, _, err := e.sourceFiles(op.Src, false, true)
	if err != nil {
		return nil, err
	}
	in := &ops.Intent{}
	for _, src := range srcs {
		if src.Rel == "" {
			return nil, fmt.Errorf("%w: %s: del of a drive root", ErrBadPath, op.Src)
		}
		it := ops.Item{Src: src}
		if err := e.describeSource(&it, false); err != nil {
			return nil, err
		}
		in.Items = append(in.Items, it)
	}
	return in, nil
}

// execDel removes every item's file through its root (a symbolic link is
// removed itself, never what it points to), then syncs their folders. A
// file already absent is recorded Absent; a folder is not deleted (del
// deletes files: that fails). A read-only file (fsroot.IsReadOnly, on a
// drive path) is deleted only with /f; without it, as cmd.exe does, it is
// kept, the other files are deleted, and the operation fails naming it.
//
// A file in use (Windows), with e.Reboot set, is handed to Session
// Manager: recorded in the intent (step), its delete registered for the
// next boot; the others are deleted and the operation ends
// ops.RebootPending. Repeated with that intent, a handed-off file is taken
// on from where it is (advanceHandoff).
func (e *Executor) execDel(op *ops.Op, in *ops.Intent, step func(*ops.Intent) error, res *ops.Result) {
	var dirs fsroot.FolderSet
	changed, waiting := false, false
	var kept []string
	err := func() error {
		for _, it := range in.Items {
			e.failpoint("del.before-remove")
			if hf := handoffFile(in, it.Src); hf != nil {
				st, err := e.advanceHandoff(in, hf, step)
				if err != nil {
					return err
				}
				waiting = waiting || st == handoffWaiting
				changed = changed || st == handoffDone
				handoffResult(res, hf)
				continue
			}
			// One handle on the file's folder serves every step (inside
			// the drain's scope: the one its preparation opened).
			root, name, err := e.Drives.At(it.Src)
			if err != nil {
				return err
			}
			fi, err := root.Lstat(name)
			if err != nil {
				if !fsroot.IsNotExist(err) {
					return fmt.Errorf("%s: %w", it.Src, err)
				}
				res.Files = append(res.Files, ops.FileResult{Path: it.Src, Absent: true})
				dirs.Add(it.Src)
				continue
			}
			if fi.IsDir() {
				return fmt.Errorf("%s is a folder, not deleted (del deletes files; rd removes folders)", it.Src)
			}
			ro, err := dosReadOnly(e.Drives, root, name, it.Src, fi)
			if err != nil {
				return err
			}
			if ro {
				if !op.Force {
					kept = append(kept, it.Src.String())
					continue
				}
				if err := fsroot.MakeWritable(root, name, fi); err != nil {
					return fmt.Errorf("%s: %w", it.Src, err)
				}
			}
			dirs.Add(it.Src)
			err = e.heldErr(it.Src)
			if err == nil {
				if err = root.Remove(name); err != nil {
					err = fsroot.RenameInUse(root, name, err)
				}
			}
			if err != nil && e.Reboot != nil && fsroot.IsInUse(err) {
				st, hf, err := e.startHandoff(in, it.Src, "", "", fi.Size(), step)
				if err != nil {
					return err
				}
				waiting = waiting || st == handoffWaiting
				changed = changed || st == handoffDone
				handoffResult(res, hf)
				continue
			}
			if err != nil {
				return fmt.Errorf("delete %s: %w", it.Src, err)
			}
			changed = true
			res.Files = append(res.Files, ops.FileResult{Path: it.Src, Size: fi.Size()})
		}
		return nil
	}()
	e.failpoint("del.before-sync")
	if serr := dirs.Sync(e.Drives); err == nil {
		err = serr
	}
	if err == nil && len(kept) > 0 {
		err = fmt.Errorf("%w: %s not deleted (/f deletes read-only files)", ErrReadOnly, strings.Join(kept, ", "))
	}
	if err != nil {
		setFailed(res, err)
		return
	}
	setDone(res, changed)
	if waiting {
		res.Outcome = ops.RebootPending
	}
}
