package exec

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"strings"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// moveKind is move SRC DST: one rename on one file system; across file
// systems a durable copy, journaled, then the removal of the sources.
type moveKind struct{}

func (moveKind) prepare(e *Executor, op *ops.Op, opID uint64) (*ops.Intent, error) {
	return e.prepareTransfer(op, opID)
}

func (moveKind) check(op *ops.Op, in *ops.Intent) error {
	return checkTransfer(op, in, in.CrossDevice)
}

func (moveKind) execute(_ context.Context, e *Executor, _ *ops.Op, in *ops.Intent, step func(*ops.Intent) error, res *ops.Result) {
	if in.CrossDevice {
		e.execMoveAcross(in, step, res)
		return
	}
	e.execMoveRename(in, step, res)
}

// effects: on one file system each source is renamed to its destination
// (a folder with all below it); across file systems each destination is
// replaced by a copy and each source removed (forgotten as soon as the
// move ran at all: a failed one may have removed it).
func (moveKind) effects(op *ops.Op, in *ops.Intent, r *results) []Effect {
	if in == nil {
		// Which files moved is unknown: all it names may have changed.
		out := []Effect{{Change: Unknown, Path: op.Src}}
		out = append(out, r.fromResult(Unknown, false)...)
		if !op.Dst.IsZero() {
			out = append(out, Effect{Change: Unknown, Path: op.Dst})
		}
		return out
	}
	out := make([]Effect, 0, 2*len(in.Items))
	for _, it := range in.Items {
		if in.CrossDevice {
			out = append(out, r.mark(Effect{Change: Replaced, Path: it.Dst}),
				Effect{Change: Removed, Path: it.Src, Written: r.known()})
			continue
		}
		_, reached := r.file(it.Dst)
		out = append(out, Effect{Change: Moved, Path: it.Src, To: it.Dst, Written: reached})
	}
	return out
}

// markCrossDevice sets in.CrossDevice when the items' sources and
// destinations lie on different drives or, on one drive, on different
// devices (a mount point inside the drive). A folder cannot be moved
// across devices.
func (e *Executor) markCrossDevice(in *ops.Intent) error {
	if len(in.Items) == 0 {
		return nil
	}
	it := in.Items[0]
	if !strings.EqualFold(it.Src.Drive, it.Dst.Drive) {
		in.CrossDevice = true
	} else {
		root, err := e.Drives.Root(it.Src.Drive)
		if err != nil {
			return err
		}
		sdev, sok := fsroot.DeviceID(root, it.Src.Parent().Rel)
		ddev, dok := fsroot.DeviceID(root, it.Dst.Parent().Rel)
		in.CrossDevice = sok && dok && sdev != ddev
	}
	if !in.CrossDevice {
		return nil
	}
	for _, it := range in.Items {
		if _, isDir, err := statKind(e.Drives, it.Src, true); err != nil {
			return fmt.Errorf("%s: %w", it.Src, err)
		} else if isDir {
			return fmt.Errorf("%w: %s is a folder: a folder is not moved across drives or file systems", ErrUnsupported, it.Src)
		}
	}
	return nil
}

// execMoveRename moves every item by one rename inside its drive's root,
// over an existing destination, and syncs both folders. A source gone with
// its destination present (for a file, with the source's recorded size and
// time) was moved by an interrupted Execute: already done.
//
// A destination in use (Windows), with e.Reboot set, is handed to Session
// Manager: the hand-off is recorded (step), the source renamed beside the
// destination (its stage, stageMove), its hash recorded, and the rename
// over the destination registered for the next boot; the operation ends
// ops.RebootPending.
func (e *Executor) execMoveRename(in *ops.Intent, step func(*ops.Intent) error, res *ops.Result) {
	changed, waiting := false, false
	for _, it := range in.Items {
		hf := handoffFile(in, it.Dst)
		if hf == nil {
			fr, did, err := e.renameItem(it, false)
			if err == nil {
				res.Files = append(res.Files, fr)
				changed = changed || did
				continue
			}
			if e.Reboot == nil || !fsroot.IsInUse(err) {
				setFailed(res, err)
				return
			}
			if in.Handoff == nil {
				in.Handoff = &ops.Handoff{}
			}
			in.Handoff.Files = append(in.Handoff.Files, ops.HandoffFile{Target: it.Dst, Stage: MoveStageName(it.Dst), From: it.Src})
			hf = &in.Handoff.Files[len(in.Handoff.Files)-1]
			if err := journalStep(in, step); err != nil {
				setFailed(res, err)
				return
			}
		}
		if hf.SHA256 == "" {
			if err := e.stageMove(in, hf, step); err != nil {
				setFailed(res, err)
				return
			}
		}
		st, err := e.advanceHandoff(in, hf, step)
		if err != nil {
			setFailed(res, err)
			return
		}
		waiting = waiting || st == handoffWaiting
		changed = changed || st == handoffDone
		handoffResult(res, hf)
	}
	setDone(res, changed)
	if waiting {
		res.Outcome = ops.RebootPending
	}
}

// MoveStageName is the stage, in dst's folder, of a move onto dst in use:
// named after dst, so that a repeat finds it.
func MoveStageName(dst ops.Path) string {
	sum := sha256.Sum256([]byte(strings.ToLower(dst.String())))
	return fsroot.TempPrefix + "reboot-" + hex.EncodeToString(sum[:6]) + ".tmp"
}

// stageMove renames a move's source into its stage beside the destination
// in use (unless a crash came after that rename), syncs both folders,
// and records the staged bytes' hash (step).
func (e *Executor) stageMove(in *ops.Intent, hf *ops.HandoffFile, step func(*ops.Intent) error) error {
	root, err := e.Drives.Root(hf.Target.Drive)
	if err != nil {
		return err
	}
	stage := ops.Path{Drive: hf.Target.Drive, Rel: ops.JoinRel(hf.Target.Parent().Rel, hf.Stage)}
	e.failpoint("handoff.before-stage")
	if _, err := root.Lstat(ops.RootName(stage.Rel)); fsroot.IsNotExist(err) {
		if err := root.Rename(ops.RootName(hf.From.Rel), ops.RootName(stage.Rel)); err != nil {
			return fmt.Errorf("stage %s beside %s, in use: %w", hf.From, hf.Target, err)
		}
	} else if err != nil {
		return fmt.Errorf("%s: %w", stage, err)
	}
	if err := e.Drives.SyncFolder(stage.Parent()); err != nil {
		return err
	}
	if err := e.Drives.SyncFolder(hf.From.Parent()); err != nil {
		return err
	}
	sum, n, err := fsroot.HashFile(root, stage.Rel, make([]byte, copyBufSize))
	if err != nil {
		return fmt.Errorf("read %s: %w", stage, err)
	}
	hf.SHA256, hf.Size = sum, n
	if err := journalStep(in, step); err != nil {
		return err
	}
	e.failpoint("handoff.after-stage")
	return nil
}

// renameItem renames one item's source to its destination and syncs both
// folders; with noReplace (ren) an entry already at the destination that
// is not the source itself (a case-only rename on a case-insensitive file
// system) is an error.
func (e *Executor) renameItem(it ops.Item, noReplace bool) (fr ops.FileResult, did bool, err error) {
	root, err := e.Drives.Root(it.Src.Drive)
	if err != nil {
		return fr, false, err
	}
	e.failpoint("move.before-rename")
	sfi, err := e.Drives.Lstat(it.Src)
	switch {
	case err == nil:
		if noReplace {
			if dfi, derr := e.Drives.Lstat(it.Dst); derr == nil && !os.SameFile(sfi, dfi) {
				return fr, false, fmt.Errorf("%w: ren %s: %s exists (ren never replaces)", ErrExists, it.Src, it.Dst)
			}
		}
		err := e.heldErr(it.Dst)
		if err == nil && sfi.Mode().IsRegular() {
			err = e.Drives.Rename(it.Src, it.Dst)
			if err != nil && !noReplace {
				err = fsroot.RenameInUse(root, it.Dst.Rel, err)
			}
		} else if err == nil {
			// A folder (or a link) is renamed: the drain's scope forgets
			// its handles on the folders at both names, before and after.
			e.Drives.ForgetFolder(it.Src)
			e.Drives.ForgetFolder(it.Dst)
			err = e.Drives.Rename(it.Src, it.Dst)
			e.Drives.ForgetFolder(it.Src)
			e.Drives.ForgetFolder(it.Dst)
		}
		if err != nil {
			return fr, false, fmt.Errorf("move %s to %s: %w", it.Src, it.Dst, err)
		}
		did = true
		e.failpoint("move.after-rename")
	case fsroot.IsNotExist(err):
		dfi, derr := e.Drives.Lstat(it.Dst)
		if derr != nil || !(matchesSource(dfi, it) || (dfi.IsDir() && it.SrcExists && !it.DstExisted)) {
			return fr, false, fmt.Errorf("source %s not found", it.Src)
		}
		sfi = dfi
	default:
		return fr, false, fmt.Errorf("%s: %w", it.Src, err)
	}
	if err := e.Drives.SyncFolder(it.Dst.Parent()); err != nil {
		return fr, false, err
	}
	if err := e.Drives.SyncFolder(it.Src.Parent()); err != nil {
		return fr, false, err
	}
	fr = ops.FileResult{Path: it.Dst}
	if sfi.Mode().IsRegular() {
		fr.Size = sfi.Size()
	}
	return fr, did, nil
}

// execMoveAcross moves across drives or devices: unless in.Copied, every
// item is copied durably as copy does (a source gone whose destination has
// its recorded size and time counts as copied), in.Copied is set and step
// called to journal it; then the sources are deleted and their folders
// synced.
func (e *Executor) execMoveAcross(in *ops.Intent, step func(*ops.Intent) error, res *ops.Result) {
	changed := false
	if !in.Copied {
		if err := e.removeTemps(in); err != nil {
			setFailed(res, err)
			return
		}
		bp := e.getBuf()
		defer e.putBuf(bp)
		buf := *bp
		for _, it := range in.Items {
			if handoffFile(in, it.Dst) != nil {
				continue // staged, handed to Session Manager: see below
			}
			_, dstRoot, err := e.roots(it)
			if err != nil {
				setFailed(res, err)
				return
			}
			fr, already, err := e.copyItem(dstRoot, it, copyMode{}, buf)
			if err != nil && e.Reboot != nil && fsroot.IsInUse(err) && fr.SHA256 != "" {
				// The destination is in use: its copy stays staged.
				if _, _, err := e.startHandoff(in, it.Dst, it.Temp, fr.SHA256, fr.Size, step); err != nil {
					setFailed(res, err)
					return
				}
				continue
			}
			if err != nil {
				setFailed(res, err)
				return
			}
			changed = addCopied(res, fr, already) || changed
		}
		in.Copied = true
		if step != nil {
			if err := step(in); err != nil {
				in.Copied = false
				setFailed(res, fmt.Errorf("record that the copy is done: %w", err))
				return
			}
		}
		e.failpoint("move.after-copy")
	}
	var dirs fsroot.FolderSet
	err := func() error {
		for _, it := range in.Items {
			e.failpoint("move.before-delete")
			removed, err := e.removeMoved(it)
			if err != nil {
				return err
			}
			dirs.Add(it.Src)
			changed = changed || removed
		}
		return nil
	}()
	if serr := dirs.Sync(e.Drives); err == nil {
		err = serr
	}
	if err != nil {
		setFailed(res, err)
		return
	}
	// The copies handed to Session Manager: registered, or confirmed.
	waiting := false
	if in.Handoff != nil {
		for i := range in.Handoff.Files {
			hf := &in.Handoff.Files[i]
			st, err := e.advanceHandoff(in, hf, step)
			if err != nil {
				setFailed(res, err)
				return
			}
			waiting = waiting || st == handoffWaiting
			changed = changed || st == handoffDone
			handoffResult(res, hf)
		}
	}
	setDone(res, changed)
	if waiting {
		res.Outcome = ops.RebootPending
	}
}

// removeMoved deletes the source of a copied item. An absent source is
// fine; a source that is the destination itself (two drive letters mapped
// onto one folder) is kept.
func (e *Executor) removeMoved(it ops.Item) (bool, error) {
	srcRoot, name, err := e.Drives.At(it.Src)
	if err != nil {
		return false, err
	}
	sfi, err := srcRoot.Lstat(name)
	if err != nil {
		if fsroot.IsNotExist(err) {
			return false, nil
		}
		return false, fmt.Errorf("%s: %w", it.Src, err)
	}
	if dfi, err := e.Drives.Lstat(it.Dst); err == nil && os.SameFile(sfi, dfi) {
		return false, nil
	}
	if err := srcRoot.Remove(name); err != nil && !fsroot.IsNotExist(err) {
		return false, fmt.Errorf("delete moved %s: %w", it.Src, err)
	}
	return true, nil
}
