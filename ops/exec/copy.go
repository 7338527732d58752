package exec

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"sync"
	"time"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// copyKind is copy SRC DST: every file SRC names is copied durably, each
// through a temporary file renamed over its destination.
type copyKind struct{}

func (copyKind) prepare(e *Executor, op *ops.Op, opID uint64) (*ops.Intent, error) {
	return e.prepareTransfer(op, opID)
}

func (copyKind) check(op *ops.Op, in *ops.Intent) error {
	if len(in.Items) == 0 {
		return fmt.Errorf("%w: %s", ErrNoMatch, op.Src)
	}
	if in.Join != nil {
		if err := checkJoin(in); err != nil {
			return err
		}
	}
	return checkTransfer(op, in, true)
}

func (copyKind) execute(_ context.Context, e *Executor, op *ops.Op, in *ops.Intent, step func(*ops.Intent) error, res *ops.Result) {
	if in.Join != nil {
		e.execJoin(op, in, res)
		return
	}
	e.execCopy(op, in, step, res)
}

// effects: each destination is replaced by its source's bytes.
func (copyKind) effects(_ *ops.Op, in *ops.Intent, r *results) []Effect {
	if in == nil {
		return r.fromResult(Replaced, false)
	}
	out := make([]Effect, 0, len(in.Items))
	for _, it := range in.Items {
		out = append(out, r.mark(Effect{Change: Replaced, Path: it.Dst}))
	}
	return out
}

// prepareTransfer is the intent of copy and move: one item per source,
// its destination (DST itself, or DST/<name> when DST is an existing
// folder or there are several sources) and, for copy, its temporary name.
// A DST written with a trailing backslash must be an existing folder. A
// copy of a folder copies the files directly inside it; a copy joining
// sources (A+B, or a wildcard or a folder into something that is not a
// folder) is a concatenation (prepareJoin). A destination that is
// read-only is refused, as cmd.exe refuses it; so is a copy onto itself.
func (e *Executor) prepareTransfer(op *ops.Op, opID uint64) (*ops.Intent, error) {
	if op.Dst.IsZero() {
		return nil, fmt.Errorf("%w: %s needs a destination", ErrBadPath, op.Kind)
	}
	if op.Dst.HasWildcard() {
		return nil, fmt.Errorf("%w: %s: wildcard in a destination", ErrUnsupported, op.Dst)
	}
	isCopy := op.Kind == ops.KindCopy
	srcs, many, err := e.sourceFiles(op.Src, true, isCopy)
	if err != nil {
		return nil, err
	}
	if len(srcs) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoMatch, op.Src)
	}
	dst, err := e.Drives.Resolve(op.Dst)
	if err != nil {
		return nil, err
	}
	if _, err := e.Drives.Root(dst.Drive); err != nil {
		return nil, err
	}
	dstExists, dstIsDir, err := statKind(e.Drives, dst, true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dst, err)
	}
	if op.DstDir && !dstIsDir {
		if dstExists {
			return nil, fmt.Errorf("%w: %s names a folder, but %s is a file: nothing is %s", ErrDstNotFolder, folderName(op.Dst), dst, done(op.Kind))
		}
		return nil, &missingFolder{fmt.Sprintf("%v: %s names a folder, which does not exist: nothing is %s (md it first)", ErrDstNotFolder, folderName(op.Dst), done(op.Kind))}
	}
	if isCopy && (len(op.Join) > 0 || many && !dstIsDir) {
		if dstIsDir {
			// copy A+B FOLDER: the join is named after its first source.
			if dst, err = e.Drives.Resolve(dst.Join(srcs[0].Base())); err != nil {
				return nil, err
			}
			if dstExists, _, err = statKind(e.Drives, dst, false); err != nil {
				return nil, fmt.Errorf("%s: %w", dst, err)
			}
		}
		return e.prepareJoin(op, opID, srcs, dst, dstExists)
	}
	if len(srcs) > 1 && !dstIsDir {
		return nil, fmt.Errorf("%w: %d files match %s but %s is not an existing folder", ErrDstNotFolder, len(srcs), op.Src, op.Dst)
	}
	if _, err := e.Drives.Root(op.Src.Drive); err != nil {
		return nil, err
	}
	in := &ops.Intent{}
	for _, src := range srcs {
		it := ops.Item{Src: src, Dst: dst}
		if dstIsDir {
			_, name := ops.SplitRel(src.Rel)
			if it.Dst, err = e.Drives.Resolve(ops.Path{Drive: dst.Drive, Rel: ops.JoinRel(dst.Rel, name)}); err != nil {
				return nil, err
			}
		}
		if it.Src.Rel == "" || it.Dst.Rel == "" {
			return nil, fmt.Errorf("%w: %s %s %s: a drive root", ErrBadPath, op.Kind, op.Src, op.Dst)
		}
		if isCopy && sameFile(e.Drives, it.Src, it.Dst) {
			return nil, fmt.Errorf("%w: %s", ErrSameFile, it.Src)
		}
		if err := e.describeSource(&it, isCopy); err != nil {
			return nil, err
		}
		exists, _, err := statKind(e.Drives, it.Dst, false)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", it.Dst, err)
		}
		it.DstExisted = exists
		if exists {
			if err := checkReplaceable(e.Drives, it.Dst); err != nil {
				return nil, err
			}
		}
		in.Items = append(in.Items, it)
	}
	if op.Kind == ops.KindMove {
		if err := e.markCrossDevice(in); err != nil {
			return nil, err
		}
	}
	if isCopy || in.CrossDevice {
		for i := range in.Items {
			in.Items[i].Temp = TempName(opID, i)
		}
	}
	return in, nil
}

// missingFolder is the error of a destination written as a folder that
// does not exist: it is ErrDstNotFolder and fs.ErrNotExist both, so that
// plan can tell an earlier entry may make it.
type missingFolder struct{ msg string }

func (e *missingFolder) Error() string   { return e.msg }
func (e *missingFolder) Unwrap() []error { return []error{ErrDstNotFolder, fs.ErrNotExist} }

// folderName is p written as a folder, with its trailing separator.
func folderName(p ops.Path) string {
	if p.Drive == "" {
		return p.String() + "/"
	}
	return p.String() + `\`
}

// done is what an operation of kind k does to files, for messages.
func done(k ops.Kind) string {
	if k == ops.KindMove {
		return "moved"
	}
	return "copied"
}

// checkReplaceable refuses to replace p, an existing file, when it is
// read-only: cmd.exe's copy and move refuse it too (Access is denied), and
// Windows will not rename over it.
func checkReplaceable(d *fsroot.Drives, p ops.Path) error {
	root, name, err := d.At(p)
	if err != nil {
		return err
	}
	fi, err := root.Lstat(name)
	if err != nil {
		if fsroot.IsNotExist(err) {
			return nil
		}
		return fmt.Errorf("%s: %w", p, err)
	}
	ro, err := dosReadOnly(d, root, name, p, fi)
	if err != nil {
		return err
	}
	if ro {
		return fmt.Errorf("%w: %s is read-only: it is not replaced (clear its read-only attribute first)", ErrReadOnly, p)
	}
	return nil
}

// execCopy copies every item durably (see copyItem); with /-y a
// destination that existed when the intent was made is not replaced. A
// destination in use (Windows), with e.Reboot set, is handed to Session
// Manager: its new bytes stay staged in its temporary file, recorded in
// the intent with their hash (step), the rename is registered for the
// next boot, and the copy goes on with the other items; it then ends
// ops.RebootPending. Repeated with that intent, each handed-off item is
// taken on from where it is (advanceHandoff) and the others copied.
func (e *Executor) execCopy(op *ops.Op, in *ops.Intent, step func(*ops.Intent) error, res *ops.Result) {
	if err := e.removeTemps(in); err != nil {
		setFailed(res, err)
		return
	}
	bp := e.getBuf()
	defer e.putBuf(bp) // copyItem has waited for any hash that reads into it
	buf := *bp
	changed, waiting := false, false
	for _, it := range in.Items {
		if hf := handoffFile(in, it.Dst); hf != nil {
			st, err := e.advanceHandoff(in, hf, step)
			if err != nil {
				setFailed(res, err)
				return
			}
			waiting = waiting || st == handoffWaiting
			changed = changed || st == handoffDone
			handoffResult(res, hf)
			continue
		}
		_, dstRoot, err := e.roots(it)
		if err != nil {
			setFailed(res, err)
			return
		}
		if op.NoOverwrite {
			done, err := e.checkNoOverwrite(dstRoot, it, buf, res)
			if err != nil {
				setFailed(res, err)
				return
			}
			if done {
				continue
			}
		}
		fr, already, err := e.copyItem(dstRoot, it, copyMode{ascii: op.ASCII, eof: op.DstASCII, verify: op.Verify}, buf)
		if err != nil && e.Reboot != nil && fsroot.IsInUse(err) && fr.SHA256 != "" {
			st, hf, err := e.startHandoff(in, it.Dst, it.Temp, fr.SHA256, fr.Size, step)
			if err != nil {
				setFailed(res, err)
				return
			}
			waiting = waiting || st == handoffWaiting
			changed = changed || st == handoffDone
			handoffResult(res, hf)
			continue
		}
		if err != nil {
			setFailed(res, err)
			return
		}
		changed = addCopied(res, fr, already) || changed
	}
	setDone(res, changed)
	if waiting {
		res.Outcome = ops.RebootPending
	}
}

// checkNoOverwrite applies /-y to one item: a destination that existed
// when the intent was made, or that appeared since and is not this copy's
// result, is an error; this copy's result (the source's size and time) is
// done.
func (e *Executor) checkNoOverwrite(dstRoot *os.Root, it ops.Item, buf []byte, res *ops.Result) (done bool, err error) {
	fi, err := dstRoot.Lstat(ops.RootName(it.Dst.Rel))
	if err != nil {
		if fsroot.IsNotExist(err) {
			return false, nil
		}
		return false, fmt.Errorf("%s: %w", it.Dst, err)
	}
	if !it.DstExisted && matchesSource(fi, it) {
		fr, err := e.describeDone(dstRoot, it.Dst, buf)
		if err != nil {
			return false, err
		}
		res.Files = append(res.Files, fr)
		return true, nil
	}
	return false, fmt.Errorf("%s exists, not overwritten (/-y)", it.Dst)
}

// roots returns the roots of an item's source and destination.
func (e *Executor) roots(it ops.Item) (src, dst *os.Root, err error) {
	if src, err = e.Drives.Root(it.Src.Drive); err != nil {
		return nil, nil, err
	}
	if it.Dst.IsZero() {
		return src, nil, nil
	}
	if dst, err = e.Drives.Root(it.Dst.Drive); err != nil {
		return nil, nil, err
	}
	return src, dst, nil
}

// tempPath is where the temporary file of an item lies: in its
// destination's folder.
func tempPath(it ops.Item) ops.Path {
	dir, _ := ops.SplitRel(it.Dst.Rel)
	return ops.Path{Drive: it.Dst.Drive, Rel: ops.JoinRel(dir, it.Temp)}
}

// removeTemps removes the temporary files a crashed Execute may have left,
// for every item, before anything else is done.
func (e *Executor) removeTemps(in *ops.Intent) error {
	for _, it := range in.Items {
		tp := tempPath(it)
		if isStage(in, tp) {
			continue // new bytes handed to Session Manager
		}
		root, name, err := e.Drives.At(tp)
		if err != nil {
			return err
		}
		if err := root.Remove(name); err != nil && !fsroot.IsNotExist(err) {
			return fmt.Errorf("remove leftover %s: %w", tp, err)
		}
	}
	return nil
}

// matchesSource reports whether fi, a destination, is the result of
// copying the source the intent described: a copy keeps the size and the
// modification time.
func matchesSource(fi os.FileInfo, it ops.Item) bool {
	return it.SrcExists && fi.Mode().IsRegular() && fi.Size() == it.SrcSize && fi.ModTime().Equal(it.SrcModTime)
}

// describeDone records a destination found already in place.
func (e *Executor) describeDone(root *os.Root, p ops.Path, buf []byte) (ops.FileResult, error) {
	sum, n, err := fsroot.HashFile(root, p.Rel, buf)
	if err != nil {
		return ops.FileResult{}, fmt.Errorf("read %s: %w", p, err)
	}
	if err := e.Drives.SyncFolder(p.Parent()); err != nil {
		return ops.FileResult{}, err
	}
	return ops.FileResult{Path: p, Size: n, SHA256: sum}, nil
}

// copyMode is how one file is copied: ascii reads the source as text (up
// to its first Ctrl-Z, /a in effect for it), eof writes one Ctrl-Z at the
// end of the destination (/a in effect for it), verify reads the result
// back (/v).
type copyMode struct{ ascii, eof, verify bool }

// copyItem copies it.Src to it.Dst (in dstRoot) durably: the
// source is streamed through buf into it.Temp in the destination's folder
// (created exclusively, with the source's mode and the attributes
// Windows' copy gives: fsroot.CopyAttributes) while both hashes are
// computed, the temporary file is given the source's modification time
// and fsynced, renamed over the destination, and the folder fsynced. A
// source that is gone while the destination has its recorded size and
// time is reported already done. The caller has removed a leftover
// temporary file first (removeTemps, once for every item); on error the
// temporary file is removed.
func (e *Executor) copyItem(dstRoot *os.Root, it ops.Item, m copyMode, buf []byte) (fr ops.FileResult, already bool, err error) {
	ascii, verify := m.ascii, m.verify
	tp := tempPath(it)
	src, err := e.Drives.Open(it.Src)
	if err != nil {
		if !fsroot.IsNotExist(err) {
			return fr, false, fmt.Errorf("open %s: %w", it.Src, err)
		}
		fi, derr := e.Drives.Lstat(it.Dst)
		if derr == nil && matchesSource(fi, it) {
			fr, err = e.describeDone(dstRoot, it.Dst, buf)
			return fr, err == nil, err
		}
		return fr, false, fmt.Errorf("source %s not found", it.Src)
	}
	defer src.Close()
	sfi, err := src.Stat()
	if err != nil {
		return fr, false, fmt.Errorf("stat %s: %w", it.Src, err)
	}
	if !sfi.Mode().IsRegular() {
		return fr, false, fmt.Errorf("%s is not a file", it.Src)
	}

	e.failpoint("copy.before-temp")
	cr := &copyReader{src: src, buf: buf, srcHash: sha256.New(), ascii: ascii,
		afterFirst: func() { e.failpoint("copy.mid-write") }}
	if ascii || m.eof {
		cr.dstHash = sha256.New() // what is written stops at Ctrl-Z, or gains one
	}
	if e.Progress != nil {
		total := sfi.Size()
		e.Progress(it.Dst, 0, total)
		cr.progress = func(done int64) { e.Progress(it.Dst, done, total) }
	}
	var n int64
	via := viaLoop
	hashed := func() error { return nil }
	// However the replace ends (an error during or after the kernel copy,
	// a crash point's panic in tests), the hash reading the source through
	// buf is over before buf goes back to the Executor.
	defer cr.endHash()
	staged := false
	err = e.Drives.Replace(it.Dst, it.Temp, fsroot.ReplaceOptions{
		Perm: sfi.Mode().Perm(),
		// One fsync makes the bytes and the kept modification time durable.
		ModTime: sfi.ModTime(),
		Fill: func(tmp *os.File) (err error) {
			if cr.dstHash != nil {
				n, err = cr.WriteTo(tmp)
			} else {
				n, via, hashed, err = cr.copyFile(tmp, src, sfi, e.copyPaths)
			}
			if err == nil && m.eof {
				if _, err = tmp.Write([]byte{ctrlZ}); err == nil {
					cr.dstHash.Write([]byte{ctrlZ})
					n++
				}
			}
			if err != nil {
				return fmt.Errorf("copy %s to %s: %w", it.Src, tp, err)
			}
			if err := fsroot.CopyAttributes(src, tmp); err != nil {
				return err
			}
			if cr.stopped {
				// /a: what follows Ctrl-Z is not copied, but the source's
				// hash covers the whole source.
				if _, err = io.CopyBuffer(cr.srcHash, readerOnly{src}, buf); err != nil {
					return fmt.Errorf("read %s: %w", it.Src, err)
				}
			}
			return nil
		},
		// The source's hash was computed while the bytes went to disk.
		Synced: func() error {
			if err := hashed(); err != nil {
				return fmt.Errorf("hash %s: %w", it.Src, err)
			}
			return nil
		},
		BeforeRename: func() error {
			staged = true // the new bytes are durable in the temporary file
			e.failpoint("copy.before-rename")
			return e.heldErr(it.Dst)
		},
		MapRenameErr: func(err error) error { return fsroot.RenameInUse(dstRoot, it.Dst.Rel, err) },
		// A destination in use keeps its durable new bytes for the
		// hand-off to Session Manager (execCopy).
		KeepTemp:    func(err error) bool { return staged && e.Reboot != nil && fsroot.IsInUse(err) },
		AfterRename: func() { e.failpoint("copy.after-rename") },
	})
	if err != nil {
		if staged && e.Reboot != nil && fsroot.IsInUse(err) {
			// fr names the staged bytes: the caller hands them off.
			fr = ops.FileResult{Path: it.Dst, Size: n, SHA256: cr.sum()}
		}
		return fr, false, err
	}
	fr = ops.FileResult{Path: it.Dst, Size: n, SrcSHA256: hex.EncodeToString(cr.srcHash.Sum(nil))}
	fr.SHA256 = fr.SrcSHA256
	if cr.dstHash != nil {
		fr.SHA256 = hex.EncodeToString(cr.dstHash.Sum(nil))
	}
	if verify {
		sum, _, verr := fsroot.HashFile(dstRoot, it.Dst.Rel, buf)
		if verr != nil {
			return fr, false, fmt.Errorf("verify %s: %w", it.Dst, verr)
		}
		if sum != fr.SHA256 {
			return fr, false, fmt.Errorf("verify %s: read back SHA-256 %s, wrote %s", it.Dst, sum, fr.SHA256)
		}
	}
	e.Log.Debug().Str("src", it.Src.String()).Str("dst", it.Dst.String()).Int64("bytes", n).Str("via", string(via)).Msg("copied")
	return fr, false, nil
}

// copyReader copies a source, hashing what it reads: a binary copy with
// copyFile, an ASCII copy (which also hashes what it passes on, and stops
// at the first Ctrl-Z) through one fixed buffer with WriteTo.
type copyReader struct {
	src     io.Reader
	buf     []byte
	srcHash hash.Hash
	// dstHash is set when what is written is not what is read (an ASCII
	// copy, a Ctrl-Z appended, a join); srcHash may then be nil.
	dstHash    hash.Hash
	ascii      bool
	stopped    bool // reached Ctrl-Z
	afterFirst func()
	progress   func(done int64) // after every buffer written, if set
	// stopHash and waitHash end the hash hashSource started, if any (see
	// endHash).
	stopHash func()
	waitHash func() error
}

// endHash stops the source's hash if one still runs and waits for it to
// end: once it returns, nothing reads into c.buf. A hash that finished
// (the replace waited for it) is not changed.
func (c *copyReader) endHash() {
	if c.stopHash != nil {
		c.stopHash()
		_ = c.waitHash()
	}
}

const ctrlZ = 0x1A

// sum is the SHA-256 of what was written, once the copy is complete.
func (c *copyReader) sum() string {
	if c.dstHash != nil {
		return hex.EncodeToString(c.dstHash.Sum(nil))
	}
	return hex.EncodeToString(c.srcHash.Sum(nil))
}

func (c *copyReader) Read(p []byte) (int, error) {
	if c.stopped {
		return 0, io.EOF
	}
	n, err := c.src.Read(p)
	if c.srcHash != nil {
		c.srcHash.Write(p[:n])
	}
	if c.ascii {
		for i, b := range p[:n] {
			if b == ctrlZ {
				n, err, c.stopped = i, io.EOF, true
				break
			}
		}
	}
	if c.dstHash != nil {
		c.dstHash.Write(p[:n])
	}
	return n, err
}

// copyChunk is how much a binary copy hands the kernel at a time: the
// unit of progress reports.
const copyChunk = 1 << 20

// copyVia names how the bytes of a binary copy moved: a reflink of the
// source's extents (FICLONE), copy_file_range, the kernel's copy behind
// os.File.ReadFrom, or a read and write loop through the buffer. It is
// logged with every copy.
type copyVia string

const (
	viaClone    copyVia = "clone"
	viaRange    copyVia = "copy_file_range"
	viaReadFrom copyVia = "readfrom"
	viaLoop     copyVia = "read-write"
)

// hashSource hashes src from its first byte to its end with pread through
// c.buf (so the file position the kernel copy advances is left alone), in
// a goroutine: the hash costs no time on a machine with two cores while
// the kernel moves the bytes. stop ends it early; wait returns once it has
// ended, with its error.
func (c *copyReader) hashSource(src *os.File) (stop func(), wait func() error) {
	hashed := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		r := &stoppable{r: io.NewSectionReader(src, 0, 1<<62), stop: done}
		_, err := io.CopyBuffer(c.srcHash, r, c.buf)
		hashed <- err
	}()
	c.stopHash = sync.OnceFunc(func() { close(done) })
	c.waitHash = sync.OnceValue(func() error { return <-hashed })
	return c.stopHash, c.waitHash
}

// sourceUnchanged fails the copy of src when, once its bytes are moved and
// hashed, src no longer has the size and modification time it had before
// (before), or n bytes were copied of it and not its size: the hash was
// read apart from the bytes the kernel moved, and would not be proven to
// be theirs. The copy fails rather than record a hash of other bytes.
func sourceUnchanged(src *os.File, before os.FileInfo, n int64) error {
	after, err := src.Stat()
	if err != nil {
		return fmt.Errorf("stat %s: %w", src.Name(), err)
	}
	if after.Size() != before.Size() || !after.ModTime().Equal(before.ModTime()) || n != before.Size() {
		return fmt.Errorf("%w: %s: %d bytes modified %s before the copy, %d bytes modified %s after, %d copied",
			ErrSourceChanged, src.Name(), before.Size(), before.ModTime().Format(time.RFC3339Nano),
			after.Size(), after.ModTime().Format(time.RFC3339Nano), n)
	}
	return nil
}

// stoppable is a reader that ends early once stop is closed.
type stoppable struct {
	r    io.Reader
	stop chan struct{}
}

func (s *stoppable) Read(p []byte) (int, error) {
	select {
	case <-s.stop:
		return 0, io.EOF
	default:
		return s.r.Read(p)
	}
}

// WriteTo copies the source to w through the buffer, for an ASCII copy,
// which must look at every byte.
func (c *copyReader) WriteTo(w io.Writer) (int64, error) {
	return c.loop(w, func(int) ([]byte, error) {
		n, err := c.Read(c.buf)
		return c.buf[:n], err
	})
}

// loop writes what next returns for i = 0, 1, ... until the source ends,
// running afterFirst after the first buffer and progress after each.
func (c *copyReader) loop(w io.Writer, next func(i int) ([]byte, error)) (int64, error) {
	var total int64
	for i := 0; ; i++ {
		b, rerr := next(i)
		if len(b) > 0 {
			wn, werr := w.Write(b)
			total += int64(wn)
			if werr != nil {
				return total, werr
			}
			if wn != len(b) {
				return total, io.ErrShortWrite
			}
			if c.progress != nil {
				c.progress(total)
			}
		}
		if i == 0 && c.afterFirst != nil {
			c.afterFirst()
		}
		if rerr == io.EOF {
			return total, nil
		}
		if rerr != nil {
			return total, rerr
		}
	}
}

// readerOnly hides the WriterTo of an *os.File, so that io.CopyBuffer uses
// the buffer it is given.
type readerOnly struct{ io.Reader }
