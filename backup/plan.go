package backup

import (
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"smswork/internal/fsroot"
	"smswork/ops"
	"smswork/ops/exec"
)

// Plan fills in.Backups with the prior state of every path op, run with
// intent in (as (*exec.Executor).Prepare returns it), will change, in the
// order it changes them; seq and attempt name the backup files (see
// Name). It reads only, through d's roots: Lstat, Readlink and folder
// listings. in.Backups is replaced; in.Irreversible is set (never cleared)
// when the operation's prior state cannot be kept: an rd /s of a folder
// holding more than ops.MaxExpansion entries, or a path that is neither a
// file, a folder nor a symbolic link (a device, a pipe). Backups is then
// empty.
//
// What each kind records:
//
//   - copy: per item, its destination as it is (absent, file, link or
//     folder); touch: the file's modification time (PriorTime).
//   - del: per item that exists, the file or link.
//   - move: per item, its destination as copy records it, then its
//     source: the file (whose content then lives at the destination), the
//     link, or the folder with Moved set to where one rename takes it.
//   - md: when the folder does not exist, PriorAbsent for the first
//     missing ancestor and each level below it, shallowest first.
//   - rd: the folder; with /s, everything in it first, in post-order (a
//     folder's contents before the folder), so that undo, in reverse,
//     makes each folder before what it holds.
//   - run: nothing (see ops.Irreversible).
func Plan(d *fsroot.Drives, seq uint64, attempt int, op *ops.Op, in *ops.Intent) error {
	return plan(d, seq, attempt, op, in, ops.MaxExpansion)
}

// Plan is Plan on the drives the store was opened with.
func (s *Store) Plan(seq uint64, attempt int, op *ops.Op, in *ops.Intent) error {
	return Plan(s.d, seq, attempt, op, in)
}

// plan is Plan with the most entries an rd /s keeps as a parameter.
func plan(d *fsroot.Drives, seq uint64, attempt int, op *ops.Op, in *ops.Intent, limit int) error {
	if op == nil || in == nil {
		return fmt.Errorf("%w: missing operation or intent", ErrBadRecord)
	}
	in.Backups = nil
	p := &planner{d: d, seq: seq, attempt: attempt, in: in, limit: limit}
	err := p.plan(op)
	var irr *irreversibleError
	if errors.As(err, &irr) {
		in.Backups = nil
		in.Irreversible = irr.reason
		return nil
	}
	if err != nil {
		in.Backups = nil
		return err
	}
	return nil
}

// irreversibleError stops a plan whose operation cannot be undone.
type irreversibleError struct{ reason string }

func (e *irreversibleError) Error() string { return e.reason }

// planner appends the backups of one intent.
type planner struct {
	d       *fsroot.Drives
	seq     uint64
	attempt int
	in      *ops.Intent
	limit   int
}

func (p *planner) plan(op *ops.Op) error {
	for _, ef := range exec.Effects(op, p.in, nil) {
		var err error
		switch ef.Change {
		case exec.Replaced:
			err = p.addPrior(ef.Path, ops.Path{}, true)
		case exec.Removed:
			err = p.addPrior(ef.Path, ops.Path{}, false)
		case exec.Moved:
			if err = p.addPrior(ef.To, ops.Path{}, true); err == nil {
				err = p.addPrior(ef.Path, ef.To, false)
			}
		case exec.Touched:
			err = p.planTouch()
		case exec.MadeDir:
			err = p.planMD(ef.Path)
		case exec.RemovedDir:
			err = p.planRD(ef.Path, ef.Tree)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// add appends b, naming its backup file when it has one.
func (p *planner) add(b ops.Backup) {
	if b.Prior == ops.PriorFile {
		b.Name = Name(p.seq, p.attempt, len(p.in.Backups))
	}
	p.in.Backups = append(p.in.Backups, b)
}

// prior describes path as it is now; exists is false when it is absent.
func (p *planner) prior(path ops.Path) (b ops.Backup, exists bool, err error) {
	root, err := p.d.Root(path.Drive)
	if err != nil {
		return b, false, err
	}
	b.Path = path
	fi, err := p.d.Lstat(path)
	if err != nil {
		if fsroot.IsNotExist(err) {
			b.Prior = ops.PriorAbsent
			return b, false, nil
		}
		return b, false, fmt.Errorf("%s: %w", path, err)
	}
	return p.describe(root, path, fi)
}

// describe is the Backup of path, whose Lstat is fi.
func (p *planner) describe(root *os.Root, path ops.Path, fi os.FileInfo) (ops.Backup, bool, error) {
	b := ops.Backup{Path: path, Mode: uint32(fi.Mode()), ModTime: fi.ModTime()}
	switch {
	case fi.Mode().IsRegular():
		b.Prior, b.Size = ops.PriorFile, fi.Size()
	case fi.Mode()&os.ModeSymlink != 0:
		target, err := root.Readlink(ops.RootName(path.Rel))
		if err != nil {
			return b, true, fmt.Errorf("read link %s: %w", path, err)
		}
		b = ops.Backup{Path: path, Prior: ops.PriorLink, Link: target}
	case fi.IsDir():
		b.Prior = ops.PriorDir
	default:
		return b, true, &irreversibleError{fmt.Sprintf("%s is neither a file, a folder nor a link: it is not kept", path)}
	}
	return b, true, nil
}

// addPrior appends the prior state of path. An absent path is recorded
// only with keepAbsent (a destination the operation creates). A folder
// that is a source is recorded as moved to movedTo when that is set, and
// not at all otherwise (del does not delete folders).
func (p *planner) addPrior(path, movedTo ops.Path, keepAbsent bool) error {
	b, exists, err := p.prior(path)
	if err != nil {
		return err
	}
	switch {
	case !exists && !keepAbsent:
		return nil
	case b.Prior == ops.PriorDir && !keepAbsent:
		if movedTo.IsZero() {
			return nil
		}
		b.Moved = movedTo
	}
	p.add(b)
	return nil
}

// planTouch records the modification time of the file a touch sets,
// following a link as the touch does.
func (p *planner) planTouch() error {
	if len(p.in.Items) != 1 {
		return nil
	}
	path := p.in.Items[0].Src
	fi, err := p.d.Stat(path)
	if err != nil {
		if fsroot.IsNotExist(err) {
			return nil // the touch fails: nothing changes
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return nil
	}
	p.add(ops.Backup{Path: path, Prior: ops.PriorTime, ModTime: fi.ModTime(), Mode: uint32(fi.Mode()), Size: fi.Size()})
	return nil
}

// planMD records the levels md creates: from the first missing one down
// to the folder.
func (p *planner) planMD(path ops.Path) error {
	if _, err := p.d.Root(path.Drive); err != nil {
		return err
	}
	if path.Rel == "" {
		return nil
	}
	if _, err := p.d.Stat(path); err == nil {
		return nil
	} else if !fsroot.IsNotExist(err) {
		return fmt.Errorf("%s: %w", path, err)
	}
	elems := strings.Split(path.Rel, "/")
	missing := false
	for i := range elems {
		level := ops.Path{Drive: path.Drive, Rel: strings.Join(elems[:i+1], "/")}
		if !missing {
			_, err := p.d.Lstat(level)
			switch {
			case err == nil:
				continue
			case !fsroot.IsNotExist(err):
				return fmt.Errorf("%s: %w", level, err)
			}
			missing = true
		}
		p.add(ops.Backup{Path: level, Prior: ops.PriorAbsent})
	}
	return nil
}

// planRD records the folder rd removes; with recursive, all it holds
// first, in post-order.
func (p *planner) planRD(path ops.Path, recursive bool) error {
	root, err := p.d.Root(path.Drive)
	if err != nil {
		return err
	}
	fi, err := p.d.Lstat(path)
	if err != nil {
		if fsroot.IsNotExist(err) {
			return nil
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	if !fi.IsDir() {
		return nil // rd fails: nothing changes
	}
	if recursive {
		n := 0
		if err := p.walk(root, path, &n); err != nil {
			return err
		}
	}
	b, _, err := p.describe(root, path, fi)
	if err != nil {
		return err
	}
	p.add(b)
	return nil
}

// walk records, in post-order, everything folder dir holds, counting the
// entries in n; more than p.limit makes the operation irreversible.
func (p *planner) walk(root *os.Root, dir ops.Path, n *int) error {
	ents, err := p.list(root, dir, n)
	if err != nil {
		return err
	}
	for _, e := range ents {
		child := ops.Path{Drive: dir.Drive, Rel: ops.JoinRel(dir.Rel, e.Name())}
		if e.IsDir() {
			if err := p.walk(root, child, n); err != nil {
				return err
			}
		}
		fi, err := p.d.Lstat(child)
		if err != nil {
			return fmt.Errorf("%s: %w", child, err)
		}
		b, _, err := p.describe(root, child, fi)
		if err != nil {
			return err
		}
		p.add(b)
	}
	return nil
}

// list returns the entries of folder dir sorted by name, adding their
// number to n and stopping once it passes p.limit.
func (p *planner) list(root *os.Root, dir ops.Path, n *int) ([]os.DirEntry, error) {
	f, err := root.Open(ops.RootName(dir.Rel))
	if err != nil {
		return nil, fmt.Errorf("open folder %s: %w", dir, err)
	}
	defer f.Close()
	var all []os.DirEntry
	for {
		ents, rerr := f.ReadDir(1024)
		*n += len(ents)
		if *n > p.limit {
			return nil, &irreversibleError{fmt.Sprintf("rd /s of a folder holding more than %d entries: its contents are not kept", p.limit)}
		}
		all = append(all, ents...)
		if rerr == io.EOF {
			break
		}
		if rerr != nil {
			return nil, fmt.Errorf("read folder %s: %w", dir, rerr)
		}
	}
	slices.SortFunc(all, func(a, b os.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return all, nil
}
