package ops

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"smswork/internal/durable"
)

// Defaults of an Executor whose fields are left zero.
const (
	// DefaultOpTimeout is the time limit of a run operation.
	DefaultOpTimeout = 10 * time.Minute
	// DefaultMaxOutput is how much of a run's stdout, and of its stderr,
	// is kept.
	DefaultMaxOutput = 64 << 10
)

// copyBufSize is the fixed buffer a copy streams through.
const copyBufSize = 1 << 20

// Executor performs operations on the drives it is given. It has two
// steps: Prepare computes, reading only, the Intent that is journaled
// before anything is touched; Execute performs the operation as that
// Intent records it. Execute is also how recovery finishes an operation
// interrupted at any instant: called again with the same Intent, it leaves
// the files exactly as one uninterrupted Execute would have.
type Executor struct {
	// Drives maps the paths of operations onto the host; every file access
	// goes through its roots.
	Drives *Drives
	// OpTimeout is the time limit of a run operation without its own;
	// 0 means DefaultOpTimeout.
	OpTimeout time.Duration
	// MaxOutput is how many bytes of stdout, and of stderr, a run keeps;
	// the rest is read and dropped. 0 means DefaultMaxOutput.
	MaxOutput int
	// Log receives debug events; the zero Logger discards them.
	Log zerolog.Logger
	// Failpoint, when set, is called at named points of Execute (see the
	// per-kind docs of Execute); tests make it panic to simulate a crash
	// there. It is nil in production.
	Failpoint func(name string)
	// Env is the environment of run operations; nil means MinimalEnv().
	Env []string
	// Progress, when set, is told how far each file a copy (or a move
	// across file systems) writes has come: once with done 0 before the
	// first byte, then after every buffer written (at most every
	// copyBufSize bytes). See ProgressFunc.
	Progress ProgressFunc
	// SyncDirs are folders, besides those of the mapped drives, whose
	// file systems are made durable after a run operation's program
	// exits and before the operation is committed (cmd/smswork gives the
	// journal's folder). See syncRunEffects.
	SyncDirs []string

	// syncFileSystems replaces fsroot.SyncFileSystems in tests.
	syncFileSystems func(dirs []string) error
}

func (e *Executor) failpoint(name string) {
	if e.Failpoint != nil {
		e.Failpoint(name)
	}
}

func (e *Executor) opTimeout() time.Duration {
	if e.OpTimeout > 0 {
		return e.OpTimeout
	}
	return DefaultOpTimeout
}

func (e *Executor) maxOutput() int {
	if e.MaxOutput > 0 {
		return e.MaxOutput
	}
	return DefaultMaxOutput
}

// Prepare computes, with reads only, the intent of op: its expansion into
// items with the state recovery needs (see Intent and Item). opID makes
// the temporary file names of a copy deterministic: Item.Temp is
// TempName(opID, index).
//
// An error means the operation cannot be done as written (an unmapped
// drive, a path leaving its drive, an ambiguous name, a wildcard matching
// nothing for copy or move, or more than MaxExpansion entries, several
// sources into something that is not a folder); nothing was touched and
// the caller records it as failed. A missing source is not an error here:
// Execute decides, from the intent, whether that means done or failed.
func (e *Executor) Prepare(op *Op, opID uint64) (*Intent, error) {
	if op == nil {
		return nil, fmt.Errorf("%w: no operation", ErrBadIntent)
	}
	if e.Drives == nil && op.Kind != KindRun {
		return nil, fmt.Errorf("%w: executor has no drives", ErrDriveUnmapped)
	}
	switch op.Kind {
	case KindCopy:
		if op.Touch {
			return e.prepareOne(op.Src, false)
		}
		return e.prepareTransfer(op, opID)
	case KindMove:
		return e.prepareTransfer(op, opID)
	case KindDel:
		return e.prepareDel(op)
	case KindMD:
		return e.prepareOne(op.Src, true)
	case KindRD:
		if op.Src.Rel == "" {
			return nil, fmt.Errorf("%w: %s: rd of a drive root", ErrBadPath, op.Src)
		}
		return e.prepareOne(op.Src, false)
	case KindRun:
		if len(op.Argv) == 0 || op.Argv[0] == "" {
			return nil, fmt.Errorf("%w: run with no program", ErrUnsupported)
		}
		return &Intent{}, nil
	}
	return nil, fmt.Errorf("%w: unknown kind %q", ErrBadIntent, op.Kind)
}

// TempName is the temporary file a copy of item index of operation opID
// writes in its destination folder before renaming it over the
// destination. It starts with durable.TempPrefix, so wildcards skip it.
func TempName(opID uint64, index int) string {
	return durable.TempPrefix + strconv.FormatUint(opID, 10) + "-" + strconv.Itoa(index) + ".tmp"
}

// prepareOne is the intent of an operation on one named path (md, rd,
// touch): one item, with the path's state when it is a file.
func (e *Executor) prepareOne(p Path, rootOK bool) (*Intent, error) {
	if p.HasWildcard() {
		return nil, fmt.Errorf("%w: %s: no wildcard allowed here", ErrBadPath, p)
	}
	if p.Rel == "" && !rootOK {
		return nil, fmt.Errorf("%w: %s: a drive root", ErrBadPath, p)
	}
	r, err := e.Drives.Resolve(p)
	if err != nil {
		return nil, err
	}
	it := Item{Src: r}
	if err := e.describeSource(&it, false); err != nil {
		return nil, err
	}
	return &Intent{Items: []Item{it}}, nil
}

// describeSource fills SrcExists, SrcSize and SrcModTime of it from a
// Lstat of it.Src; with follow, a symbolic link is described by what it
// points to (which must lie inside the drive).
func (e *Executor) describeSource(it *Item, follow bool) error {
	root, err := e.Drives.Root(it.Src.Drive)
	if err != nil {
		return err
	}
	fi, err := root.Lstat(relName(it.Src.Rel))
	if err == nil && follow && fi.Mode()&os.ModeSymlink != 0 {
		fi, err = root.Stat(relName(it.Src.Rel))
	}
	switch {
	case err == nil:
		it.SrcExists = true
		it.SrcModTime = fi.ModTime()
		if fi.Mode().IsRegular() {
			it.SrcSize = fi.Size()
		}
	case isNotExist(err):
	default:
		return fmt.Errorf("%s: %w", it.Src, err)
	}
	return nil
}

// expandSources returns the paths a source names, resolved: itself, or
// the entries its wildcard matches. Folders are left out of a wildcard's
// expansion, as DOS copy, move and del leave them; with follow, so are
// links to folders, and a link leaving the drive is an error.
func (e *Executor) expandSources(p Path, follow bool) ([]Path, error) {
	if !p.HasWildcard() {
		r, err := e.Drives.Resolve(p)
		if err != nil {
			return nil, err
		}
		return []Path{r}, nil
	}
	dir, pattern := splitRel(p.Rel)
	rd, err := e.Drives.Resolve(Path{Drive: p.Drive, Rel: dir})
	if err != nil {
		return nil, err
	}
	root, err := e.Drives.Root(p.Drive)
	if err != nil {
		return nil, err
	}
	ms, err := expandWildcard(root, rd.Rel, pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	var out []Path
	for _, m := range ms {
		sp := Path{Drive: p.Drive, Rel: joinRel(rd.Rel, m.name)}
		typ := m.typ
		if follow && typ&os.ModeSymlink != 0 {
			fi, err := root.Stat(relName(sp.Rel))
			if err != nil {
				return nil, fmt.Errorf("%s: %w", sp, err)
			}
			typ = fi.Mode().Type()
		}
		if typ.IsDir() {
			continue
		}
		out = append(out, sp)
	}
	return out, nil
}

// statKind tells whether a path exists and is a folder; an error other
// than "does not exist" (a link leaving the drive) is returned.
func statKind(root *os.Root, rel string, follow bool) (exists, isDir bool, err error) {
	var fi os.FileInfo
	if follow {
		fi, err = root.Stat(relName(rel))
	} else {
		fi, err = root.Lstat(relName(rel))
	}
	if err != nil {
		if isNotExist(err) {
			return false, false, nil
		}
		return false, false, err
	}
	return true, fi.IsDir(), nil
}

// Execute performs op as in records it and returns what it did. step is
// called by a cross-device move once its copy is durable, with in.Copied
// set: the caller journals the intent again, so that recovery only deletes
// the sources; an error from step fails the operation. Execute never
// panics on a bad intent (it fails with ErrBadIntent); Failpoint may.
//
// Repeated with the same intent after a crash at any point inside a
// previous Execute, it finishes the operation, leaving exactly the files
// one uninterrupted Execute would have left, and reports AlreadyDone when
// the intent shows the effect was already in place:
//
//   - copy: a leftover Item.Temp is removed and the item copied again;
//     a source now missing whose destination has the intent's size and
//     modification time is done. Failpoints, per item: copy.before-temp,
//     copy.mid-write, copy.before-rename, copy.after-rename.
//   - del: an absent file is recorded Absent; all absent is AlreadyDone.
//     Failpoints: del.before-remove (per item), del.before-sync.
//   - move on one file system: a source gone with its destination present
//     (same size and time for a file) is done. Failpoints, per item:
//     move.before-rename, move.after-rename.
//   - move across file systems: copied like copy (with copy's failpoints),
//     then in.Copied is set and step called, then the sources deleted;
//     with in.Copied on entry only the deletion is done. Failpoints:
//     move.after-copy, move.before-delete (per item).
//   - md: an existing folder is AlreadyDone. Failpoint: md.before-mkdir.
//   - rd: an absent folder is AlreadyDone. Failpoint: rd.before-remove.
//   - run: is run again; Failpoint: run.before-start.
//
// Every folder an operation may have changed is synced again on a repeat,
// since a crash may have come between a change and its folder's sync.
func (e *Executor) Execute(ctx context.Context, op *Op, in *Intent, step func(*Intent) error) Result {
	res := Result{Start: time.Now()}
	e.execute(ctx, op, in, step, &res)
	e.refreshAfter(op, in)
	res.End = time.Now()
	if res.Outcome == Failed {
		e.Log.Debug().Str("kind", string(kindOf(op))).Str("err", res.Err).Msg("operation failed")
	}
	return res
}

func kindOf(op *Op) Kind {
	if op == nil {
		return ""
	}
	return op.Kind
}

func (e *Executor) execute(ctx context.Context, op *Op, in *Intent, step func(*Intent) error, res *Result) {
	if err := e.checkIntent(op, in); err != nil {
		res.setFailed(err)
		return
	}
	switch op.Kind {
	case KindCopy:
		if op.Touch {
			e.execTouch(in.Items[0], res)
			return
		}
		e.execCopy(op, in, res)
	case KindDel:
		e.execDel(op, in, res)
	case KindMove:
		if in.CrossDevice {
			e.execMoveAcross(in, step, res)
			return
		}
		e.execMoveRename(in, res)
	case KindMD:
		e.execMD(in.Items[0], res)
	case KindRD:
		e.execRD(op, in.Items[0], res)
	case KindRun:
		e.execRun(ctx, op, res)
	}
}

// checkIntent refuses an operation and intent that do not fit together,
// so that no bad journal record can make Execute touch what it should not.
func (e *Executor) checkIntent(op *Op, in *Intent) error {
	if op == nil || in == nil {
		return fmt.Errorf("%w: missing operation or intent", ErrBadIntent)
	}
	if op.Kind != KindRun && e.Drives == nil {
		return fmt.Errorf("%w: executor has no drives", ErrDriveUnmapped)
	}
	one := func() error {
		if len(in.Items) != 1 {
			return fmt.Errorf("%w: %s with %d items", ErrBadIntent, op.Kind, len(in.Items))
		}
		return nil
	}
	var err error
	switch op.Kind {
	case KindCopy:
		if op.Touch {
			err = one()
		} else if len(in.Items) == 0 {
			return fmt.Errorf("%w: %s", ErrNoMatch, op.Src)
		}
	case KindMD, KindRD:
		err = one()
	case KindDel, KindMove:
	case KindRun:
		if len(op.Argv) == 0 || op.Argv[0] == "" {
			return fmt.Errorf("%w: run with no program", ErrUnsupported)
		}
		return nil
	default:
		return fmt.Errorf("%w: unknown kind %q", ErrBadIntent, op.Kind)
	}
	if err != nil {
		return err
	}
	if len(in.Items) > MaxExpansion {
		return fmt.Errorf("%w: %d items", ErrBadIntent, len(in.Items))
	}
	for i, it := range in.Items {
		if err := checkItem(op, in, it); err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
	}
	return nil
}

func checkItem(op *Op, in *Intent, it Item) error {
	if err := checkPath(it.Src); err != nil {
		return err
	}
	transfer := op.Kind == KindMove || (op.Kind == KindCopy && !op.Touch)
	if !transfer {
		return nil
	}
	if err := checkPath(it.Dst); err != nil {
		return err
	}
	if it.Src.Rel == "" || it.Dst.Rel == "" {
		return fmt.Errorf("%w: a drive root as source or destination", ErrBadIntent)
	}
	if op.Kind == KindMove && !in.CrossDevice && !strings.EqualFold(it.Src.Drive, it.Dst.Drive) {
		return fmt.Errorf("%w: a move between drives not marked cross-device", ErrBadIntent)
	}
	if op.Kind == KindCopy || in.CrossDevice {
		t := it.Temp
		if !strings.HasPrefix(t, durable.TempPrefix) || strings.ContainsAny(t, `/\:`) || t == "." || t == ".." {
			return fmt.Errorf("%w: temporary name %q", ErrBadIntent, t)
		}
	}
	return nil
}

// checkPath refuses a Path that is not in the form Path documents.
func checkPath(p Path) error {
	if p.Drive != "" {
		if _, err := driveLetter(p.Drive); err != nil {
			return fmt.Errorf("%w: %v", ErrBadIntent, err)
		}
	}
	if p.Rel == "" {
		return nil
	}
	if strings.Contains(p.Rel, `\`) {
		return fmt.Errorf("%w: %q: backslash in a path", ErrBadIntent, p.Rel)
	}
	for el := range strings.SplitSeq(p.Rel, "/") {
		if el == "" || el == "." || el == ".." {
			return fmt.Errorf("%w: %q: element %q", ErrBadIntent, p.Rel, el)
		}
	}
	return nil
}

// IsInUse reports whether err, from Prepare or Execute, comes from a file
// held open by another process (a Windows sharing or lock violation): the
// operation may succeed at the next boot, so its entry must stay queued.
// It is always false on Unix.
func IsInUse(err error) bool { return isInUse(err) }

// setFailed marks r failed by err, telling a file in use apart.
func (r *Result) setFailed(err error) {
	r.Outcome = Failed
	r.Err = err.Error()
	if isInUse(err) {
		r.InUse = true
	}
}

// addCopied records a file a copy wrote, or found already written, and
// reports whether the copy changed anything.
func (r *Result) addCopied(fr FileResult, already bool) bool {
	r.Files = append(r.Files, fr)
	if !already {
		r.Bytes += fr.Size
	}
	return !already
}

// setDone sets the outcome of an operation that did not fail: Done when
// it changed something, else AlreadyDone.
func (r *Result) setDone(changed bool) {
	if changed {
		r.Outcome = Done
	} else {
		r.Outcome = AlreadyDone
	}
}

// folderSet collects the folders an operation touched, in order, to sync
// each once.
type folderSet struct {
	seen map[Path]bool
	list []Path
}

func (s *folderSet) add(p Path) {
	dir, _ := splitRel(p.Rel)
	d := Path{Drive: p.Drive, Rel: dir}
	if s.seen == nil {
		s.seen = make(map[Path]bool)
	}
	if !s.seen[d] {
		s.seen[d] = true
		s.list = append(s.list, d)
	}
}

// sync syncs every folder collected; a folder that no longer exists has
// nothing to make durable.
func (s *folderSet) sync(d *Drives) error {
	for _, f := range s.list {
		if err := syncFolder(d, f); err != nil {
			return err
		}
	}
	return nil
}

// syncFolder makes the entries of folder p durable; a folder that does
// not exist is skipped.
func syncFolder(d *Drives, p Path) error {
	root, err := d.Root(p.Drive)
	if err != nil {
		return err
	}
	if err := syncRootDir(root, p.Rel); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

// parentOf returns the folder holding p.
func parentOf(p Path) Path {
	dir, _ := splitRel(p.Rel)
	return Path{Drive: p.Drive, Rel: dir}
}
