package exec

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"time"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// A concatenation is cmd.exe's `copy A+B DST` (and a wildcard or a folder
// copied into one file): the sources are written one after the other into
// one temporary file, renamed over DST in one atomic, durable step. Each
// source is read as text (up to its first Ctrl-Z) or whole, by the /a or
// /b in effect for it, text by default; one Ctrl-Z is written at the end
// unless /b is in effect for DST. The result gets the time of the join.
// DST may be the first source (`copy a+b a` appends b to a); a later one
// is refused, as its content would be gone before it is read.

// joinStamp is the time a join gives its result: now, to the even second,
// so that every file system (FAT's is 2 s) keeps it exactly and recovery
// can tell the result by it.
func (e *Executor) joinStamp() time.Time { return e.now().Truncate(2 * time.Second) }

// prepareJoin is the intent of a concatenation: first is what Src names,
// dst the resolved destination (an existing file, or nothing). Every
// source must exist now; its size and time are recorded, and the result's
// size computed (a text source counts up to its first Ctrl-Z).
func (e *Executor) prepareJoin(op *ops.Op, opID uint64, first []ops.Path, dst ops.Path, dstExists bool) (*ops.Intent, error) {
	type part struct {
		p     ops.Path
		ascii bool
	}
	text := func(ascii, binary bool) bool { return ascii || !binary }
	var parts []part
	for _, p := range first {
		parts = append(parts, part{p, text(op.ASCII, op.Binary)})
	}
	for _, jp := range op.Join {
		ps, _, err := e.sourceFiles(jp.Path, true, true)
		if err != nil {
			return nil, err
		}
		if len(ps) == 0 {
			return nil, fmt.Errorf("%w: %s", ErrNoMatch, jp.Path)
		}
		for _, p := range ps {
			parts = append(parts, part{p, text(jp.ASCII, jp.Binary)})
		}
	}
	if len(parts) > ops.MaxExpansion {
		return nil, fmt.Errorf("%w: %d files to join, more than %d", ErrTooManyMatches, len(parts), ops.MaxExpansion)
	}
	if _, err := e.Drives.Root(dst.Drive); err != nil {
		return nil, err
	}
	j := &ops.Join{EOF: !op.DstBinary, ModTime: e.joinStamp()}
	for i, pt := range parts {
		root, err := e.Drives.Root(pt.p.Drive)
		if err != nil {
			return nil, err
		}
		if pt.p.Rel == "" {
			return nil, fmt.Errorf("%w: %s: a drive root", ErrBadPath, pt.p)
		}
		if i > 0 && sameFile(e.Drives, pt.p, dst) {
			return nil, fmt.Errorf("%w: %s is both the destination and a later source of the join: its content would be lost before it is read", ErrSameFile, dst)
		}
		fi, err := root.Stat(ops.RootName(pt.p.Rel))
		if err != nil {
			if fsroot.IsNotExist(err) {
				return nil, fmt.Errorf("%w: %s, a source of the join, not found", ErrNoMatch, pt.p)
			}
			return nil, fmt.Errorf("%s: %w", pt.p, err)
		}
		if !fi.Mode().IsRegular() {
			return nil, fmt.Errorf("%s is not a file", pt.p)
		}
		n := fi.Size()
		if pt.ascii {
			if n, err = textLength(root, pt.p.Rel, fi.Size()); err != nil {
				return nil, fmt.Errorf("read %s: %w", pt.p, err)
			}
		}
		j.Parts = append(j.Parts, ops.JoinSource{Path: pt.p, Size: fi.Size(), ModTime: fi.ModTime(), ASCII: pt.ascii})
		j.Size += n
	}
	if j.EOF {
		j.Size++
	}
	it := ops.Item{Src: j.Parts[0].Path, Dst: dst, Temp: TempName(opID, 0), SrcExists: true,
		SrcSize: j.Parts[0].Size, SrcModTime: j.Parts[0].ModTime, DstExisted: dstExists}
	if dstExists {
		if err := checkReplaceable(e.Drives, dst); err != nil {
			return nil, err
		}
	}
	return &ops.Intent{Items: []ops.Item{it}, Join: j}, nil
}

// textLength is how many bytes of file rel a text read passes on: those
// before its first Ctrl-Z, or all size of them.
func textLength(root *os.Root, rel string, size int64) (int64, error) {
	f, err := root.Open(ops.RootName(rel))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	buf := make([]byte, 64<<10)
	var n int64
	for {
		k, err := f.Read(buf)
		if i := bytes.IndexByte(buf[:k], ctrlZ); i >= 0 {
			return n + int64(i), nil
		}
		n += int64(k)
		if err == io.EOF {
			return min(n, size), nil
		}
		if err != nil {
			return 0, err
		}
	}
}

// checkJoin refuses a join intent whose parts are not paths in Path's
// form, or that does not have one item naming the first part.
func checkJoin(in *ops.Intent) error {
	j := in.Join
	if len(in.Items) != 1 || len(j.Parts) == 0 || len(j.Parts) > ops.MaxExpansion || j.Parts[0].Path != in.Items[0].Src {
		return fmt.Errorf("%w: a join of %d parts with %d items", ErrBadIntent, len(j.Parts), len(in.Items))
	}
	for i, p := range j.Parts {
		if err := ops.CheckPath(p.Path); err != nil || p.Path.Rel == "" {
			return fmt.Errorf("part %d: %w: %v", i, ErrBadIntent, err)
		}
	}
	return nil
}

// execJoin performs a concatenation as its intent plans it. A destination
// that already has the planned size and time is the join's result (a
// crash came after the rename): done. Otherwise every source must still
// be as the intent recorded it, so that what is written is what was
// planned (with `copy a+b a`, a already joined would be joined again):
// then the parts are written into the temporary file, which is renamed
// over the destination.
func (e *Executor) execJoin(op *ops.Op, in *ops.Intent, res *ops.Result) {
	it, j := in.Items[0], in.Join
	if err := e.removeTemps(in); err != nil {
		setFailed(res, err)
		return
	}
	dstRoot, err := e.Drives.Root(it.Dst.Drive)
	if err != nil {
		setFailed(res, err)
		return
	}
	buf := make([]byte, copyBufSize)
	perm := os.FileMode(0o644)
	if fi, err := e.Drives.Lstat(it.Dst); err == nil {
		if fi.Mode().IsRegular() && fi.Size() == j.Size && fi.ModTime().Equal(j.ModTime) {
			fr, err := e.describeDone(dstRoot, it.Dst, buf)
			if err != nil {
				setFailed(res, err)
				return
			}
			res.Files = append(res.Files, fr)
			setDone(res, false)
			return
		}
		if op.NoOverwrite && it.DstExisted && it.Dst != j.Parts[0].Path {
			setFailed(res, fmt.Errorf("%s exists, not overwritten (/-y)", it.Dst))
			return
		}
		perm = fi.Mode().Perm()
	}
	for _, p := range j.Parts {
		fi, err := e.Drives.Stat(p.Path)
		if err != nil || fi.Size() != p.Size || !fi.ModTime().Equal(p.ModTime) {
			setFailed(res, fmt.Errorf("%s, a source of the join, changed since it was planned (or is gone): not joined", p.Path))
			return
		}
	}
	sum := sha256.New()
	var n int64
	err = e.Drives.Replace(it.Dst, it.Temp, fsroot.ReplaceOptions{
		Perm:    perm,
		ModTime: j.ModTime,
		Fill: func(tmp *os.File) error {
			if e.Progress != nil {
				e.Progress(it.Dst, 0, j.Size)
			}
			for i, p := range j.Parts {
				k, err := e.joinPart(tmp, p, buf, sum, i == 0, n, j.Size, it.Dst)
				n += k
				if err != nil {
					return err
				}
			}
			if j.EOF {
				if _, err := tmp.Write([]byte{ctrlZ}); err != nil {
					return err
				}
				sum.Write([]byte{ctrlZ})
				n++
			}
			if n != j.Size {
				return fmt.Errorf("joined %d bytes into %s, %d were planned: a source changed while it was read", n, it.Dst, j.Size)
			}
			return fsroot.SetAttributes(tmp, fsroot.AttrArchive)
		},
		BeforeRename: func() error { e.failpoint("copy.before-rename"); return nil },
		MapRenameErr: func(err error) error { return fsroot.RenameInUse(dstRoot, it.Dst.Rel, err) },
		AfterRename:  func() { e.failpoint("copy.after-rename") },
	})
	if err != nil {
		setFailed(res, err)
		return
	}
	fr := ops.FileResult{Path: it.Dst, Size: n, SHA256: hex.EncodeToString(sum.Sum(nil))}
	if op.Verify {
		got, _, err := fsroot.HashFile(dstRoot, it.Dst.Rel, buf)
		if err != nil {
			setFailed(res, fmt.Errorf("verify %s: %w", it.Dst, err))
			return
		}
		if got != fr.SHA256 {
			setFailed(res, fmt.Errorf("verify %s: read back SHA-256 %s, wrote %s", it.Dst, got, fr.SHA256))
			return
		}
	}
	addCopied(res, fr, false)
	setDone(res, true)
}

// joinPart appends one source to tmp through buf, hashing what it writes
// into sum; done and total are for progress reports.
func (e *Executor) joinPart(tmp *os.File, p ops.JoinSource, buf []byte, sum hash.Hash, first bool, done, total int64, dst ops.Path) (int64, error) {
	f, err := e.Drives.Open(p.Path)
	if err != nil {
		return 0, fmt.Errorf("open %s: %w", p.Path, err)
	}
	defer f.Close()
	cr := &copyReader{src: f, buf: buf, ascii: p.ASCII, dstHash: sum}
	if first {
		cr.afterFirst = func() { e.failpoint("copy.mid-write") }
	}
	if e.Progress != nil {
		cr.progress = func(k int64) { e.Progress(dst, done+k, total) }
	}
	n, err := cr.WriteTo(tmp)
	if err != nil {
		return n, fmt.Errorf("join %s into %s: %w", p.Path, dst, err)
	}
	return n, nil
}
