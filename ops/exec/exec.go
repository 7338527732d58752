package exec

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"smswork/internal/config"
	"smswork/internal/fsroot"
	"smswork/ops"
)

// Defaults of an Executor whose fields are left zero.
const (
	// DefaultOpTimeout is the time limit of a run operation (the one
	// default, internal/config's).
	DefaultOpTimeout = config.OpTimeout
	// DefaultMaxOutput is how much of a run's stdout, and of its stderr,
	// is kept.
	DefaultMaxOutput = 64 << 10
)

// copyBufSize is the fixed buffer a copy streams through.
const copyBufSize = 1 << 20

// Executor performs operations on the drives it is given. It has two
// steps: Prepare computes, reading only, the ops.Intent that is journaled
// before anything is touched; Execute performs the operation as that
// ops.Intent records it. Execute is also how recovery finishes an operation
// interrupted at any instant: called again with the same ops.Intent, it leaves
// the files exactly as one uninterrupted Execute would have.
type Executor struct {
	// Drives maps the paths of operations onto the host; every file access
	// goes through its roots.
	Drives *fsroot.Drives
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

	// Reboot, when set, is where a copy onto a file in use, or a del of
	// one, is handed (Windows' Session Manager, see advanceHandoff): the
	// new bytes staged beside the target, the rename registered for the
	// next boot, and the operation's outcome ops.RebootPending. Nil: a
	// file in use fails the operation (--in-use=fail).
	Reboot SessionManager

	// HeldOpen, when set (tests only; nil in production), says a file is
	// held open by another program: a change to it fails as Windows'
	// sharing violation would, on any system.
	HeldOpen func(p ops.Path) bool

	// copyPaths, in tests only (zero in production), keeps binary copies
	// off the reflink or copy_file_range path, to force the others.
	copyPaths copyPaths

	// syncFileSystems replaces fsroot.SyncFileSystems in tests.
	syncFileSystems func(dirs []string) error

	// Clock, when set, is the time a concatenation is stamped with when
	// its intent is made (see joinStamp); nil means time.Now. Tests fix it
	// so that two runs leave equal trees.
	Clock func() time.Time

	// bufs holds the copy buffers of copyBufSize (see getBuf): a queue of
	// small copies would otherwise allocate and clear 1 MiB an operation.
	bufs sync.Pool
}

// getBuf returns a buffer of copyBufSize bytes for one operation; putBuf
// gives it back once the operation no longer uses it.
func (e *Executor) getBuf() *[]byte {
	if b, ok := e.bufs.Get().(*[]byte); ok {
		return b
	}
	b := make([]byte, copyBufSize)
	return &b
}

func (e *Executor) putBuf(b *[]byte) { e.bufs.Put(b) }

// BeginScope opens a scope of e's drives (fsroot.Drives.BeginScope) for
// one operation, until the caller calls the returned end: its Prepare,
// the backup plan and capture of its intent and its Execute then open
// each folder they work in once. Execute keeps the scope true to the
// names: it has the scope forget the folders an operation renames,
// removes or creates, and all of them after a program ran.
func (e *Executor) BeginScope() (end func()) {
	if e.Drives == nil {
		return func() {}
	}
	return e.Drives.BeginScope()
}

func (e *Executor) now() time.Time {
	if e.Clock != nil {
		return e.Clock()
	}
	return time.Now()
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
// items with the state recovery needs (see ops.Intent and ops.Item). opID makes
// the temporary file names of a copy deterministic: ops.Item.Temp is
// TempName(opID, index).
//
// An error means the operation cannot be done as written (an unmapped
// drive, a path leaving its drive, an ambiguous name, a wildcard matching
// nothing for copy or move, or more than ops.MaxExpansion entries, several
// sources into something that is not a folder); nothing was touched and
// the caller records it as failed. A missing source is not an error here:
// Execute decides, from the intent, whether that means done or failed.
func (e *Executor) Prepare(op *ops.Op, opID uint64) (*ops.Intent, error) {
	if op != nil && e.Drives == nil && op.Kind != ops.KindRun {
		return nil, fmt.Errorf("%w: executor has no drives", ErrDriveUnmapped)
	}
	k, err := kindOf(op)
	if err != nil {
		return nil, err
	}
	if e.Drives != nil {
		// It reads only: each folder it looks into is opened once.
		defer e.Drives.BeginScope()()
	}
	return k.prepare(e, op, opID)
}

// TempName is the temporary file a copy of item index of operation opID
// writes in its destination folder before renaming it over the
// destination. It starts with fsroot.TempPrefix, so wildcards skip it.
func TempName(opID uint64, index int) string {
	return fsroot.TempPrefix + strconv.FormatUint(opID, 10) + "-" + strconv.Itoa(index) + ".tmp"
}

// prepareOne is the intent of an operation on one named path (md, rd,
// touch): one item, with the path's state when it is a file.
func (e *Executor) prepareOne(p ops.Path, rootOK bool) (*ops.Intent, error) {
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
	it := ops.Item{Src: r}
	if err := e.describeSource(&it, false); err != nil {
		return nil, err
	}
	return &ops.Intent{Items: []ops.Item{it}}, nil
}

// describeSource fills SrcExists, SrcSize and SrcModTime of it from a
// Lstat of it.Src; with follow, a symbolic link is described by what it
// points to (which must lie inside the drive).
func (e *Executor) describeSource(it *ops.Item, follow bool) error {
	fi, err := e.Drives.Lstat(it.Src)
	if err == nil && follow && fi.Mode()&os.ModeSymlink != 0 {
		fi, err = e.Drives.Stat(it.Src)
	}
	switch {
	case err == nil:
		it.SrcExists = true
		it.SrcModTime = fi.ModTime()
		if fi.Mode().IsRegular() {
			it.SrcSize = fi.Size()
		}
	case fsroot.IsNotExist(err):
	default:
		return fmt.Errorf("%s: %w", it.Src, err)
	}
	return nil
}

// expandSources returns the paths a source names, resolved: itself, or
// the entries its wildcard matches. Folders are left out of a wildcard's
// expansion, as DOS copy, move and del leave them; with follow, so are
// links to folders, and a link leaving the drive is an error.
func (e *Executor) expandSources(p ops.Path, follow bool) ([]ops.Path, error) {
	if !p.HasWildcard() {
		r, err := e.Drives.Resolve(p)
		if err != nil {
			return nil, err
		}
		return []ops.Path{r}, nil
	}
	dir, pattern := ops.SplitRel(p.Rel)
	rd, err := e.Drives.Resolve(ops.Path{Drive: p.Drive, Rel: dir})
	if err != nil {
		return nil, err
	}
	root, err := e.Drives.Root(p.Drive)
	if err != nil {
		return nil, err
	}
	ms, err := fsroot.ExpandWildcard(root, rd.Rel, pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	var out []ops.Path
	for _, m := range ms {
		sp := ops.Path{Drive: p.Drive, Rel: ops.JoinRel(rd.Rel, m.Name)}
		typ := m.Type
		if follow && typ&os.ModeSymlink != 0 {
			fi, err := root.Stat(ops.RootName(sp.Rel))
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
func statKind(d *fsroot.Drives, p ops.Path, follow bool) (exists, isDir bool, err error) {
	var fi os.FileInfo
	if follow {
		fi, err = d.Stat(p)
	} else {
		fi, err = d.Lstat(p)
	}
	if err != nil {
		if fsroot.IsNotExist(err) {
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
// one uninterrupted Execute would have left, and reports ops.AlreadyDone when
// the intent shows the effect was already in place:
//
//   - copy: a leftover ops.Item.Temp is removed and the item copied again;
//     a source now missing whose destination has the intent's size and
//     modification time is done. Failpoints, per item: copy.before-temp,
//     copy.mid-write, copy.before-rename, copy.after-rename.
//   - del: an absent file is recorded Absent; all absent is ops.AlreadyDone.
//     Failpoints: del.before-remove (per item), del.before-sync.
//   - move on one file system: a source gone with its destination present
//     (same size and time for a file) is done. Failpoints, per item:
//     move.before-rename, move.after-rename.
//   - ren: as move on one file system, never over an existing entry
//     (other than the source itself, a case-only rename on a
//     case-insensitive file system).
//   - move across file systems: copied like copy (with copy's failpoints),
//     then in.Copied is set and step called, then the sources deleted;
//     with in.Copied on entry only the deletion is done. Failpoints:
//     move.after-copy, move.before-delete (per item).
//   - md: an existing folder is ops.AlreadyDone. Failpoint: md.before-mkdir.
//   - rd: an absent folder is ops.AlreadyDone. Failpoint: rd.before-remove.
//   - run: is run again; Failpoint: run.before-start.
//   - a copy, move or del that met a file in use and handed it to
//     Session Manager (in.Handoff, e.Reboot set): each handed-off file is
//     taken on from where the intent left it (advanceHandoff): confirmed
//     after the boot, still waiting (ops.RebootPending, never registered
//     twice), registered again once, or failed. Failpoints, per file:
//     handoff.before-stage (a move on one volume), handoff.after-stage,
//     handoff.before-register, handoff.after-register,
//     handoff.after-record.
//
// Every folder an operation may have changed is synced again on a repeat,
// since a crash may have come between a change and its folder's sync.
func (e *Executor) Execute(ctx context.Context, op *ops.Op, in *ops.Intent, step func(*ops.Intent) error) ops.Result {
	res := ops.Result{Start: time.Now()}
	if op != nil && op.Kind == ops.KindRun && e.Drives != nil {
		// A program may rename or remove any folder: the scope holds no
		// handle while it runs (on Windows an open folder stands in the
		// way of its removal), and is forgotten again after it.
		e.Drives.Forget()
	}
	e.execute(ctx, op, in, step, &res)
	e.refreshAfter(op, in)
	res.End = time.Now()
	if res.Outcome == ops.Failed {
		ev := e.Log.Debug().Str("err", res.Err)
		if op != nil {
			ev = ev.Str("kind", string(op.Kind))
		}
		ev.Msg("operation failed")
	}
	return res
}

func (e *Executor) execute(ctx context.Context, op *ops.Op, in *ops.Intent, step func(*ops.Intent) error, res *ops.Result) {
	k, err := e.checkIntent(op, in)
	if err != nil {
		setFailed(res, err)
		return
	}
	k.execute(ctx, e, op, in, step, res)
}

// checkIntent refuses an operation and intent that do not fit together,
// so that no bad journal record can make Execute touch what it should not;
// it returns the kind that performs op.
func (e *Executor) checkIntent(op *ops.Op, in *ops.Intent) (kind, error) {
	if op == nil || in == nil {
		return nil, fmt.Errorf("%w: missing operation or intent", ErrBadIntent)
	}
	k, err := kindOf(op)
	if err != nil {
		return nil, err
	}
	if op.Kind != ops.KindRun && e.Drives == nil {
		return nil, fmt.Errorf("%w: executor has no drives", ErrDriveUnmapped)
	}
	if len(in.Items) > ops.MaxExpansion {
		return nil, fmt.Errorf("%w: %d items", ErrBadIntent, len(in.Items))
	}
	for i, it := range in.Items {
		if err := ops.CheckPath(it.Src); err != nil {
			return nil, fmt.Errorf("item %d: %w", i, err)
		}
	}
	if err := k.check(op, in); err != nil {
		return nil, err
	}
	if err := checkHandoff(op, in); err != nil {
		return nil, err
	}
	return k, nil
}

// checkHandoff refuses a hand-off that names a file the operation does not
// change (a copy's destination with its temporary file as the stage, a
// del's file with none), or names one twice.
func checkHandoff(op *ops.Op, in *ops.Intent) error {
	if in.Handoff == nil {
		return nil
	}
	if op.Kind != ops.KindCopy && op.Kind != ops.KindDel && op.Kind != ops.KindMove || in.Join != nil {
		return fmt.Errorf("%w: a hand-off to Session Manager in a %s", ErrBadIntent, op.Kind)
	}
	seen := map[ops.Path]bool{}
	for _, hf := range in.Handoff.Files {
		ok := false
		for _, it := range in.Items {
			switch {
			case op.Kind == ops.KindDel:
				ok = it.Src == hf.Target && hf.Stage == "" && hf.From.IsZero()
			case op.Kind == ops.KindMove && !in.CrossDevice:
				ok = it.Dst == hf.Target && it.Src == hf.From && hf.Stage == MoveStageName(hf.Target)
			default: // a copy, a move across file systems: the temporary file
				ok = it.Dst == hf.Target && it.Temp == hf.Stage && hf.Stage != "" && hf.From.IsZero()
			}
			if ok {
				break
			}
		}
		if !ok || seen[hf.Target] {
			return fmt.Errorf("%w: hand-off of %s does not fit the operation", ErrBadIntent, hf.Target)
		}
		seen[hf.Target] = true
	}
	return nil
}

// checkTransfer refuses the items of a copy or move whose destinations
// are not in Path's form, are drive roots, lie on another drive without
// the intent saying so, or whose temporary names are not this project's.
func checkTransfer(op *ops.Op, in *ops.Intent, temps bool) error {
	for i, it := range in.Items {
		if err := checkTransferItem(op, in, it, temps); err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
	}
	return nil
}

func checkTransferItem(op *ops.Op, in *ops.Intent, it ops.Item, temps bool) error {
	if err := ops.CheckPath(it.Dst); err != nil {
		return err
	}
	if it.Src.Rel == "" || it.Dst.Rel == "" {
		return fmt.Errorf("%w: a drive root as source or destination", ErrBadIntent)
	}
	if op.Kind == ops.KindMove && !in.CrossDevice && !strings.EqualFold(it.Src.Drive, it.Dst.Drive) {
		return fmt.Errorf("%w: a move between drives not marked cross-device", ErrBadIntent)
	}
	if temps {
		t := it.Temp
		if !strings.HasPrefix(t, fsroot.TempPrefix) || strings.ContainsAny(t, `/\:`) || t == "." || t == ".." {
			return fmt.Errorf("%w: temporary name %q", ErrBadIntent, t)
		}
	}
	return nil
}

// setFailed marks r failed by err, telling a file in use apart.
func setFailed(r *ops.Result, err error) {
	r.Outcome = ops.Failed
	r.Err = err.Error()
	if fsroot.IsInUse(err) {
		r.InUse = true
	}
}

// addCopied records a file a copy wrote, or found already written, and
// reports whether the copy changed anything.
func addCopied(r *ops.Result, fr ops.FileResult, already bool) bool {
	r.Files = append(r.Files, fr)
	if !already {
		r.Bytes += fr.Size
	}
	return !already
}

// setDone sets the outcome of an operation that did not fail: ops.Done when
// it changed something, else ops.AlreadyDone.
func setDone(r *ops.Result, changed bool) {
	if changed {
		r.Outcome = ops.Done
	} else {
		r.Outcome = ops.AlreadyDone
	}
}
