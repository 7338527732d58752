package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	bolt "go.etcd.io/bbolt"

	"smswork/internal/failpoint"
	"smswork/internal/fsroot"
	"smswork/ops"
)

// PruneOptions tunes Prune.
type PruneOptions struct {
	// Step bounds how many records one transaction removes (default
	// 50,000), so that pruning a million records never holds them all in
	// one transaction's memory. Every step leaves a whole chain.
	Step int
	// Failpoint kills the process at Prune's named points (crash tests
	// only): prune.before-delete, prune.after-step (per step),
	// compact.after-copy, compact.before-rename, compact.after-rename,
	// compact.after-swap.
	Failpoint failpoint.Func
}

// PruneResult is what Prune did.
type PruneResult struct {
	// Pruned counts the records removed; Through is the ID of the last.
	Pruned  uint64
	Through uint64
	// SizeBefore and SizeAfter are the journal file's sizes in bytes.
	SizeBefore, SizeAfter int64
}

// compactPath is where Prune writes the compacted copy of the journal.
func compactPath(path string) string { return path + ".compact" }

const defaultPruneStep = 50000

// Prune removes the oldest history records committed before the cut-off,
// replaces them with one checkpoint record that keeps the chain
// verifiable, and shrinks the file. It refuses a chain that does not
// verify: pruning would destroy the evidence.
//
// Records are removed from the oldest on, stopping at the first committed
// at or after before (a clock set back leaves later records in place).
// Each transaction removes at most opts.Step records and writes a
// checkpoint under the ID of the last one it removed (Checkpoint): the
// journal is whole after each. Then, since bbolt never gives pages back to
// the file system, the journal is compacted into path+".compact", which is
// fsynced with its folder, and renamed over the journal, whose bbolt file
// is closed around the swap and reopened (the writers' lock stays held).
// A crash at any point leaves either the old journal or the new one,
// complete; Open removes a leftover copy.
func (j *Journal) Prune(before, now time.Time, opts PruneOptions) (*PruneResult, error) {
	if j.opts.ReadOnly {
		return nil, fmt.Errorf("prune journal %s: opened read-only: %w", j.path, ErrState)
	}
	if opts.Step <= 0 {
		opts.Step = defaultPruneStep
	}
	fp := opts.Failpoint
	// The compaction copies every bucket: every page must be sound.
	if errs, err := checkFile(j.path, nil, true, j.opts.Parse); err != nil {
		return nil, err
	} else if len(errs) > 0 {
		return nil, &DamageError{Path: j.path, Findings: errs}
	}
	var broken []error
	if err := j.View(func(tx *Tx) error { broken = tx.VerifyChain(); return nil }); err != nil {
		return nil, err
	}
	if len(broken) > 0 {
		return nil, fmt.Errorf("prune journal %s: %w: %v (and %d more; see smswork verify)", j.path, ErrChain, broken[0], len(broken)-1)
	}
	res := &PruneResult{SizeBefore: fileSize(j.path)}
	fp.Hit("prune.before-delete")
	for {
		var n, through uint64
		err := j.Update(func(tx *Tx) (err error) {
			n, through, err = tx.pruneStep(before.UTC(), now, opts.Step, res.Pruned)
			return err
		})
		if err != nil {
			return res, fmt.Errorf("prune journal %s: %w", j.path, err)
		}
		if n == 0 {
			break
		}
		res.Pruned += n
		res.Through = through
		fp.Hit("prune.after-step")
	}
	if res.Pruned == 0 {
		res.SizeAfter = res.SizeBefore
		return res, nil
	}
	if err := j.compact(fp); err != nil {
		return res, err
	}
	res.SizeAfter = fileSize(j.path)
	return res, nil
}

// pruneStep removes up to step records committed before the cut-off, from
// the oldest on (a checkpoint at the start goes with them), and stores a
// checkpoint in place of the last removed. It returns how many records it
// removed (checkpoints aside) and the last one's ID; 0 when none is left.
func (t *Tx) pruneStep(before, now time.Time, step int, prunedSoFar uint64) (n, through uint64, err error) {
	b := t.checked(bucketHistory)
	var keys []uint64
	var last *Record
	lost := map[uint64]bool{} // batches that lose an undo step
	c := b.Cursor()
	for k, v := c.First(); k != nil && int(n) < step; k, v = c.Next() {
		r, err := DecodeRecord(v)
		if err != nil {
			return 0, 0, fmt.Errorf("history record %d: %w", u64key(k), err)
		}
		if !r.IsCheckpoint() {
			if !r.Committed.Before(before) {
				break
			}
			if undoable(r) {
				bt, err := t.Batch(r.Batch)
				if err != nil && !isNotFound(err) {
					return 0, 0, err
				}
				if bt != nil && keepsUndo(bt) {
					break // a rollback or an undo still needs it
				}
				lost[r.Batch] = true
			}
			last = r
			n++
		}
		keys = append(keys, u64key(k))
	}
	if last == nil {
		return 0, 0, nil
	}
	for id := range lost {
		if err := t.loseUndo(id); err != nil {
			return 0, 0, err
		}
	}
	for _, k := range keys {
		if err := b.Delete(u64(k)); err != nil {
			return 0, 0, err
		}
	}
	cp := &Record{ID: last.ID, Outcome: ops.Checkpoint, Result: ops.Result{Outcome: ops.Checkpoint},
		Committed: now.UTC(), Host: t.j.opts.Host, Version: t.j.opts.Version, Prev: last.chainNext(),
		Checkpoint: &Checkpoint{Through: last.ID, Pruned: prunedSoFar + n, Before: before}}
	if err := t.putRecord(cp); err != nil {
		return 0, 0, err
	}
	return n, last.ID, nil
}

// compact swaps a compacted copy of the journal in; see Prune.
func (j *Journal) compact(fp failpoint.Func) error {
	cp := compactPath(j.path)
	if err := j.guard("compact", func() error { return writeCompact(j.db, cp, j.opts.LockTimeout) }); err != nil {
		_ = os.Remove(cp)
		return fmt.Errorf("compact journal %s: %w", j.path, err)
	}
	fp.Hit("compact.after-copy")
	if err := j.db.Close(); err != nil {
		return fmt.Errorf("close journal %s: %w", j.path, err)
	}
	fp.Hit("compact.before-rename")
	if err := fsroot.Rename(cp, j.path); err != nil {
		// Windows refuses while a reader holds the journal open: the
		// journal is pruned, only not smaller.
		_ = os.Remove(cp)
		if oerr := j.openDB(); oerr != nil {
			return errors.Join(fmt.Errorf("swap compacted journal in: %w", err), oerr)
		}
		return fmt.Errorf("journal %s is pruned but was not compacted: %w", j.path, err)
	}
	fp.Hit("compact.after-rename")
	if err := fsroot.SyncDir(filepath.Dir(j.path)); err != nil {
		return err
	}
	fp.Hit("compact.after-swap")
	return j.openDB()
}

// writeCompact copies src into a new bbolt file at dst, packed, and makes
// it and its folder entry durable.
func writeCompact(src *bolt.DB, dst string, timeout time.Duration) error {
	if err := os.Remove(dst); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	mode := os.FileMode(0o600)
	if fi, err := os.Stat(src.Path()); err == nil {
		mode = fi.Mode().Perm()
	}
	// No sync per transaction: the whole file is synced once, below,
	// before it can take the journal's place.
	db, err := bolt.Open(dst, mode, &bolt.Options{Timeout: timeout, NoSync: true})
	if err != nil {
		return err
	}
	if err := bolt.Compact(db, src, 64<<20); err != nil {
		_ = db.Close()
		return err
	}
	if err := db.Sync(); err != nil {
		_ = db.Close()
		return err
	}
	if err := db.Close(); err != nil {
		return err
	}
	if err := fsroot.SyncPath(dst); err != nil {
		return err
	}
	return fsroot.SyncDir(filepath.Dir(dst))
}

func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}
