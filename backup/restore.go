package backup

import (
	"fmt"
	"os"
	"time"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// The failpoints Restore calls its fp at.
const (
	// FailBeforeRestore is reached before each backup is restored.
	FailBeforeRestore = "undo.before-restore"
	// FailAfterRename is reached after the rename that puts a file back,
	// before its folder is synced.
	FailAfterRename = "undo.after-rename"
)

// Restore puts every path of in.Backups back to its prior state, in
// reverse order, making each change durable (the file fsynced where it is
// copied, its folder synced after each rename, removal or creation)
// before the next:
//
//   - PriorFile: the backup file is hard-linked (else copied) to a
//     temporary file beside the path, given the recorded mode and time,
//     and renamed over the path. The backup file stays.
//   - PriorLink: what is at the path (not a folder) is replaced by the
//     link.
//   - PriorAbsent: a file or link at the path is removed; a folder only
//     when empty (else ErrNotEmpty).
//   - PriorDir: a folder moved by one rename is renamed back; otherwise
//     the folder is made when absent. Once every path is back, each such
//     folder gets its recorded permission bits.
//   - PriorTime: the file's modification time is set back.
//
// A missing folder to put a path into (ErrNoFolder), a missing backup
// file (ErrNoBackup), or an entry of another kind in the way (ErrInTheWay)
// stops Restore with an error naming the path; what was restored before
// stays restored. Restore is idempotent: after a crash at any point,
// calling it again ends in the state one uninterrupted call leaves. fp,
// when not nil, is called at FailBeforeRestore and FailAfterRename.
//
// The Result has Outcome Done, or AlreadyDone when nothing had to change
// (Failed, with Err, on error), and one FileResult per path: Size and
// SHA256 for a file put back, Absent for a path removed. Every path
// touched is then reported to the Drives (fsroot.Drives.Changed).
func (s *Store) Restore(in *ops.Intent, fp func(name string)) (ops.Result, error) {
	res := ops.Result{Start: time.Now()}
	r := &restorer{s: s, fp: fp, res: &res, at: map[ops.Path]int{}, touched: map[ops.Path]bool{}}
	defer r.refresh()
	changed, err := r.run(in)
	res.End = time.Now()
	if err != nil {
		res.Outcome = ops.Failed
		res.Err = err.Error()
		return res, err
	}
	if changed {
		res.Outcome = ops.Done
	} else {
		res.Outcome = ops.AlreadyDone
	}
	return res, nil
}

// restorer is the state of one Restore call.
type restorer struct {
	s   *Store
	fp  func(string)
	res *ops.Result
	// at is the index in res.Files of each path recorded.
	at map[ops.Path]int
	// touched lists the paths to report to Drives.Changed.
	touched map[ops.Path]bool
}

func (r *restorer) hit(name string) {
	if r.fp != nil {
		r.fp(name)
	}
}

// refresh reports every path touched to the Drives.
func (r *restorer) refresh() {
	for p := range r.touched {
		r.s.d.Changed(p)
	}
}

// record sets the FileResult of fr.Path: the last one restored wins, it
// being the earliest prior state.
func (r *restorer) record(fr ops.FileResult) {
	if i, ok := r.at[fr.Path]; ok {
		r.res.Files[i] = fr
		return
	}
	r.at[fr.Path] = len(r.res.Files)
	r.res.Files = append(r.res.Files, fr)
}

func (r *restorer) run(in *ops.Intent) (changed bool, err error) {
	if in == nil {
		return false, fmt.Errorf("%w: no intent", ErrBadRecord)
	}
	if in.Irreversible != "" {
		return false, fmt.Errorf("%w: %s", ErrIrreversible, in.Irreversible)
	}
	for _, b := range in.Backups {
		if err := checkBackup(b); err != nil {
			return false, err
		}
	}
	for i := len(in.Backups) - 1; i >= 0; i-- {
		b := in.Backups[i]
		r.hit(FailBeforeRestore)
		r.touched[b.Path] = true
		did, fr, err := r.restore(b)
		if err != nil {
			return changed, err
		}
		r.record(fr)
		changed = changed || did
	}
	did, err := r.finishDirs(in.Backups)
	return changed || did, err
}

// checkBackup refuses a record Restore could not act on safely.
func checkBackup(b ops.Backup) error {
	if err := checkPath(b.Path); err != nil {
		return err
	}
	switch b.Prior {
	case ops.PriorFile:
		return checkName(b.Name)
	case ops.PriorDir:
		if b.Moved.IsZero() {
			return nil
		}
		if err := checkPath(b.Moved); err != nil {
			return err
		}
		if b.Moved.Drive != b.Path.Drive {
			return fmt.Errorf("%w: %s moved to another drive (%s)", ErrBadRecord, b.Path, b.Moved)
		}
	case ops.PriorAbsent, ops.PriorLink, ops.PriorTime:
	default:
		return fmt.Errorf("%w: %s: prior state %q", ErrBadRecord, b.Path, b.Prior)
	}
	return nil
}

// restore puts b.Path back to its prior state; did reports a change.
func (r *restorer) restore(b ops.Backup) (did bool, fr ops.FileResult, err error) {
	root, err := r.s.d.Root(b.Path.Drive)
	if err != nil {
		return false, fr, err
	}
	fr = ops.FileResult{Path: b.Path}
	switch b.Prior {
	case ops.PriorFile:
		return r.restoreFile(root, b)
	case ops.PriorLink:
		did, err = r.restoreLink(root, b)
	case ops.PriorAbsent:
		fr.Absent = true
		did, err = r.restoreAbsent(root, b)
	case ops.PriorDir:
		did, err = r.restoreDir(root, b)
	case ops.PriorTime:
		fr.Size = b.Size
		did, err = r.restoreTime(root, b)
	}
	return did, fr, err
}

// needFolder fails with ErrNoFolder unless p's folder exists.
func needFolder(root *os.Root, p ops.Path) error {
	fi, err := root.Stat(ops.RootName(p.Parent().Rel))
	if err == nil && fi.IsDir() {
		return nil
	}
	if err == nil || fsroot.IsNotExist(err) {
		return fmt.Errorf("restore %s: %w", p, ErrNoFolder)
	}
	return fmt.Errorf("restore %s: %w", p, err)
}

// syncParent makes the entries of p's folder durable.
func (r *restorer) syncParent(p ops.Path) error {
	if err := r.s.d.SyncFolder(p.Parent()); err != nil {
		return fmt.Errorf("restore %s: %w", p, err)
	}
	return nil
}

// restoreFile puts backup b.Name back at b.Path.
func (r *restorer) restoreFile(root *os.Root, b ops.Backup) (bool, ops.FileResult, error) {
	fr := ops.FileResult{Path: b.Path}
	if err := needFolder(root, b.Path); err != nil {
		return false, fr, err
	}
	bfi, err := r.s.root.Lstat(b.Name)
	if err != nil || !bfi.Mode().IsRegular() {
		if err == nil || fsroot.IsNotExist(err) {
			return false, fr, fmt.Errorf("restore %s: %s: %w", b.Path, b.Name, ErrNoBackup)
		}
		return false, fr, fmt.Errorf("restore %s: %w", b.Path, err)
	}
	sum, n, err := fsroot.HashFile(r.s.root, b.Name, nil)
	if err != nil {
		return false, fr, fmt.Errorf("restore %s: read backup %s: %w", b.Path, b.Name, err)
	}
	fr.Size, fr.SHA256 = n, sum

	fi, err := root.Lstat(ops.RootName(b.Path.Rel))
	switch {
	case err == nil && fi.IsDir():
		return false, fr, fmt.Errorf("restore %s: a folder is there, not replaced: %w", b.Path, ErrInTheWay)
	case err == nil && fi.Mode().IsRegular():
		same, err := isBackup(root, b, fi, bfi, sum)
		if err != nil {
			return false, fr, err
		}
		if same {
			return false, fr, r.syncParent(b.Path)
		}
	case err != nil && !fsroot.IsNotExist(err):
		return false, fr, fmt.Errorf("restore %s: %w", b.Path, err)
	}

	dir := b.Path.Parent()
	tmp := ops.Path{Drive: b.Path.Drive, Rel: ops.JoinRel(dir.Rel, fsroot.TempPrefix+"undo-"+b.Name+".tmp")}
	if err := root.Remove(ops.RootName(tmp.Rel)); err != nil && !fsroot.IsNotExist(err) {
		return false, fr, fmt.Errorf("remove leftover %s: %w", tmp, err)
	}
	if err := r.makeTemp(root, b, tmp); err != nil {
		_ = root.Remove(ops.RootName(tmp.Rel))
		return false, fr, fmt.Errorf("restore %s: %w", b.Path, err)
	}
	if fi != nil {
		if err := clearForRename(root, b.Path.Rel, fi); err != nil {
			_ = root.Remove(ops.RootName(tmp.Rel))
			return false, fr, fmt.Errorf("restore %s: %w", b.Path, err)
		}
	}
	if err := root.Rename(ops.RootName(tmp.Rel), ops.RootName(b.Path.Rel)); err != nil {
		_ = root.Remove(ops.RootName(tmp.Rel))
		return false, fr, fmt.Errorf("restore %s: %w", b.Path, err)
	}
	r.hit(FailAfterRename)
	return true, fr, r.syncParent(b.Path)
}

// isBackup reports whether fi, the regular file at b.Path, already is
// the backup put back: the backup file itself (a hard link) or a copy of
// it, with the recorded mode and modification time.
func isBackup(root *os.Root, b ops.Backup, fi, bfi os.FileInfo, sum string) (bool, error) {
	if chmodBits(fi) != fileMode(b.Mode) || !fi.ModTime().Equal(b.ModTime) || fi.Size() != bfi.Size() {
		return false, nil
	}
	if os.SameFile(fi, bfi) {
		return true, nil
	}
	got, _, err := fsroot.HashFile(root, b.Path.Rel, nil)
	if err != nil {
		return false, fmt.Errorf("restore %s: %w", b.Path, err)
	}
	return got == sum, nil
}

// makeTemp makes tmp a hard link to backup b.Name, else a durable copy of
// it, with the recorded mode and modification time.
func (r *restorer) makeTemp(root *os.Root, b ops.Backup, tmp ops.Path) error {
	if !r.s.copyOnly && r.s.linkOut(b.Name, tmp) == nil {
		// The backup is the prior file itself; something (del /f on
		// Windows clears the read-only attribute) may have changed its
		// mode or time since it was captured.
		tfi, err := root.Lstat(ops.RootName(tmp.Rel))
		if err != nil {
			return err
		}
		fixed := false
		if chmodBits(tfi) != fileMode(b.Mode) {
			if err := root.Chmod(ops.RootName(tmp.Rel), fileMode(b.Mode)); err != nil {
				return err
			}
			fixed = true
		}
		if !tfi.ModTime().Equal(b.ModTime) {
			if err := root.Chtimes(ops.RootName(tmp.Rel), time.Time{}, b.ModTime); err != nil {
				return err
			}
			fixed = true
		}
		if fixed {
			return fsroot.SyncFile(root, tmp.Rel)
		}
		return nil
	}
	src, err := r.s.root.Open(b.Name)
	if err != nil {
		return fmt.Errorf("read backup %s: %w", b.Name, err)
	}
	defer src.Close()
	// The rename over b.Path, and its folder's sync, are the caller's:
	// the same for a link and for a copy.
	return fsroot.WriteNew(root, tmp.Rel, copyOptions(src, b))
}

// restoreLink puts the link b.Link back at b.Path.
func (r *restorer) restoreLink(root *os.Root, b ops.Backup) (bool, error) {
	if err := needFolder(root, b.Path); err != nil {
		return false, err
	}
	rel := ops.RootName(b.Path.Rel)
	fi, err := root.Lstat(rel)
	switch {
	case err == nil && fi.Mode()&os.ModeSymlink != 0:
		target, err := root.Readlink(rel)
		if err != nil {
			return false, fmt.Errorf("restore %s: %w", b.Path, err)
		}
		if target == b.Link {
			return false, r.syncParent(b.Path)
		}
	case err == nil && fi.IsDir():
		return false, fmt.Errorf("restore %s: a folder is there, not replaced: %w", b.Path, ErrInTheWay)
	case err != nil && !fsroot.IsNotExist(err):
		return false, fmt.Errorf("restore %s: %w", b.Path, err)
	}
	if err == nil {
		if err := root.Remove(rel); err != nil && !fsroot.IsNotExist(err) {
			return false, fmt.Errorf("restore %s: %w", b.Path, err)
		}
	}
	if err := root.Symlink(b.Link, rel); err != nil {
		return false, fmt.Errorf("restore %s: %w", b.Path, err)
	}
	return true, r.syncParent(b.Path)
}

// restoreAbsent removes what the operation put at b.Path.
func (r *restorer) restoreAbsent(root *os.Root, b ops.Backup) (bool, error) {
	rel := ops.RootName(b.Path.Rel)
	fi, err := root.Lstat(rel)
	if err != nil {
		if fsroot.IsNotExist(err) {
			// A crash may have come between the removal and the sync.
			return false, r.syncParent(b.Path)
		}
		return false, fmt.Errorf("restore %s: %w", b.Path, err)
	}
	if fi.IsDir() {
		empty, err := fsroot.IsEmptyDir(root, rel)
		if err != nil {
			return false, fmt.Errorf("restore %s: %w", b.Path, err)
		}
		if !empty {
			return false, fmt.Errorf("folder %s is not empty: %w", b.Path, ErrNotEmpty)
		}
	}
	if err := root.Remove(rel); err != nil && !fsroot.IsNotExist(err) {
		return false, fmt.Errorf("restore %s: remove: %w", b.Path, err)
	}
	return true, r.syncParent(b.Path)
}

// restoreDir moves a folder back to b.Path, or makes it.
func (r *restorer) restoreDir(root *os.Root, b ops.Backup) (bool, error) {
	rel := ops.RootName(b.Path.Rel)
	fi, err := root.Lstat(rel)
	if err == nil {
		if !fi.IsDir() {
			return false, fmt.Errorf("restore folder %s: something else is there: %w", b.Path, ErrInTheWay)
		}
		if err := r.syncParent(b.Path); err != nil {
			return false, err
		}
		if !b.Moved.IsZero() {
			return false, r.syncParent(b.Moved)
		}
		return false, nil
	}
	if !fsroot.IsNotExist(err) {
		return false, fmt.Errorf("restore folder %s: %w", b.Path, err)
	}
	if err := needFolder(root, b.Path); err != nil {
		return false, err
	}
	if b.Moved.IsZero() {
		// Writable for its owner until finishDirs sets the recorded
		// bits: what the folder held is put back into it first.
		if err := root.Mkdir(rel, fileMode(b.Mode).Perm()|0o700); err != nil {
			return false, fmt.Errorf("restore folder %s: %w", b.Path, err)
		}
		return true, r.syncParent(b.Path)
	}
	r.touched[b.Moved] = true
	mfi, err := root.Lstat(ops.RootName(b.Moved.Rel))
	switch {
	case err == nil && !mfi.IsDir():
		return false, fmt.Errorf("move folder %s back from %s: not a folder there: %w", b.Path, b.Moved, ErrInTheWay)
	case fsroot.IsNotExist(err):
		return false, fmt.Errorf("move folder %s back from %s: %w", b.Path, b.Moved, ErrGone)
	case err != nil:
		return false, fmt.Errorf("move folder %s back from %s: %w", b.Path, b.Moved, err)
	}
	if err := root.Rename(ops.RootName(b.Moved.Rel), rel); err != nil {
		return false, fmt.Errorf("move folder %s back from %s: %w", b.Path, b.Moved, err)
	}
	if err := r.syncParent(b.Path); err != nil {
		return false, err
	}
	return true, r.syncParent(b.Moved)
}

// restoreTime sets the modification time of b.Path back.
func (r *restorer) restoreTime(root *os.Root, b ops.Backup) (bool, error) {
	rel := ops.RootName(b.Path.Rel)
	fi, err := root.Stat(rel)
	switch {
	case fsroot.IsNotExist(err):
		return false, fmt.Errorf("restore the time of %s: %w", b.Path, ErrGone)
	case err != nil:
		return false, fmt.Errorf("restore the time of %s: %w", b.Path, err)
	case !fi.Mode().IsRegular():
		return false, fmt.Errorf("restore the time of %s: not a file: %w", b.Path, ErrInTheWay)
	}
	did := false
	if !fi.ModTime().Equal(b.ModTime) {
		if err := root.Chtimes(rel, time.Time{}, b.ModTime); err != nil {
			return false, fmt.Errorf("restore the time of %s: %w", b.Path, err)
		}
		did = true
	}
	// A crash may have come between the change and the sync.
	if err := fsroot.SyncFile(root, b.Path.Rel); err != nil {
		return false, fmt.Errorf("restore the time of %s: sync: %w", b.Path, err)
	}
	return did, nil
}

// finishDirs gives every folder made again (PriorDir without Moved) its
// recorded permission bits, once what it holds is back in it.
func (r *restorer) finishDirs(bs []ops.Backup) (bool, error) {
	did := false
	for i := len(bs) - 1; i >= 0; i-- {
		b := bs[i]
		if b.Prior != ops.PriorDir || !b.Moved.IsZero() {
			continue
		}
		root, err := r.s.d.Root(b.Path.Drive)
		if err != nil {
			return did, err
		}
		fi, err := root.Lstat(ops.RootName(b.Path.Rel))
		if err != nil || !fi.IsDir() || chmodBits(fi) == fileMode(b.Mode) {
			continue
		}
		if err := root.Chmod(ops.RootName(b.Path.Rel), fileMode(b.Mode)); err != nil {
			return did, fmt.Errorf("restore folder %s: %w", b.Path, err)
		}
		if err := r.s.d.SyncFolder(b.Path); err != nil {
			return did, fmt.Errorf("restore folder %s: %w", b.Path, err)
		}
		did = true
	}
	return did, nil
}
