package journal

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"

	"smswork/ops"
)

// ingestAtomic ingests raws as one atomic batch with choice c.
func ingestAtomic(t *testing.T, j *Journal, c RollbackChoice, raws ...string) Batch {
	t.Helper()
	var b Batch
	var es []NewEntry
	for _, r := range raws {
		es = append(es, NewEntry{Raw: r, Op: ops.Op{Kind: ops.KindDel, Src: ops.Path{Drive: "C", Rel: r}}})
	}
	if err := j.Update(func(tx *Tx) (err error) {
		b, err = tx.IngestBatch("SMS.INI", time.Unix(0, 0), es, true, c)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return b
}

// runOp takes operation seq through intent and commit with outcome oc
// (stay for a failure that stays queued); the intent keeps one file
// backup of size bytes.
func runOp(t *testing.T, j *Journal, seq uint64, oc ops.Outcome, stay bool, size int64) *Record {
	t.Helper()
	var rec *Record
	in := &ops.Intent{Backups: []ops.Backup{{Path: ops.Path{Drive: "C", Rel: "x"}, Prior: ops.PriorFile, Name: "n", Size: size}}}
	if err := j.Update(func(tx *Tx) error {
		e, err := tx.Get(seq)
		if err != nil {
			return err
		}
		if err := tx.SetIntent(e, in, time.Unix(1, 0)); err != nil {
			return err
		}
		rec, err = tx.Commit(e, ops.Result{Outcome: oc}, stay, time.Unix(2, 0))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return rec
}

func stateOf(t *testing.T, j *Journal, seq uint64) State {
	t.Helper()
	var s State
	if err := j.View(func(tx *Tx) error {
		e, err := tx.Get(seq)
		if err != nil {
			return err
		}
		s = e.State
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return s
}

func batchOf(t *testing.T, j *Journal, id uint64) *Batch {
	t.Helper()
	var b *Batch
	if err := j.View(func(tx *Tx) (err error) { b, err = tx.Batch(id); return err }); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestBatch_AtomicStagesUntilItsLastCommit(t *testing.T) {
	j := mustOpenJournal(t)
	plain := ingest(t, j, "p1", "p2")
	at := ingestAtomic(t, j, RollbackDrop, "a1", "a2", "a3")
	runOp(t, j, plain.FirstSeq, ops.Done, false, 0)
	if got := stateOf(t, j, plain.FirstSeq); got != Committed {
		t.Errorf("plain batch entry: %s, want committed", got)
	}
	runOp(t, j, at.FirstSeq, ops.Done, false, 0)
	runOp(t, j, at.FirstSeq+1, ops.Done, false, 0)
	for _, seq := range []uint64{at.FirstSeq, at.FirstSeq + 1} {
		if got := stateOf(t, j, seq); got != Staged {
			t.Errorf("atomic batch entry %d before the last commit: %s, want staged", seq, got)
		}
	}
	if b := batchOf(t, j, at.ID); b.State != "" || !b.Atomic || b.OnRollback != RollbackDrop {
		t.Errorf("open atomic batch: %+v", b)
	}
	runOp(t, j, at.FirstSeq+2, ops.Done, false, 0)
	for i := range 3 {
		if got := stateOf(t, j, at.FirstSeq+uint64(i)); got != Committed {
			t.Errorf("atomic batch entry %d after the last commit: %s, want committed", i+1, got)
		}
	}
	if b := batchOf(t, j, at.ID); b.State != BatchDone {
		t.Errorf("finished batch state %q, want done", b.State)
	}
}

func TestBatch_SetAtomicOnlyBeforeAnyCommit(t *testing.T) {
	j := mustOpenJournal(t)
	b1 := ingest(t, j, "a", "b")
	b2 := ingest(t, j, "c", "d")
	runOp(t, j, b1.FirstSeq, ops.Done, false, 0)
	err := j.Update(func(tx *Tx) error {
		if _, err := tx.SetAtomic(b1.ID, RollbackKeep); !errors.Is(err, ErrState) {
			t.Errorf("SetAtomic of a started batch: %v, want ErrState", err)
		}
		b, err := tx.SetAtomic(b2.ID, RollbackKeep)
		if err != nil || !b.Atomic {
			t.Errorf("SetAtomic of an unstarted batch: %+v %v", b, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBatch_UndoSteps checks the order and bounds of the walk and the
// undo's bookkeeping: records newest first, a failed attempt included, an
// undone record not an undo step itself.
func TestBatch_UndoSteps(t *testing.T) {
	j := mustOpenJournal(t)
	ingest(t, j, "other")
	b := ingestAtomic(t, j, RollbackKeep, "a", "b", "c")
	r1 := runOp(t, j, b.FirstSeq, ops.Done, false, 10)
	r2 := runOp(t, j, b.FirstSeq+1, ops.Done, false, 20)
	r3 := runOp(t, j, b.FirstSeq+2, ops.Failed, true, 5)
	runOp(t, j, 1, ops.Done, false, 7) // another batch's record in between
	var got []uint64
	if err := j.View(func(tx *Tx) error {
		return tx.UndoSteps(b.ID, math.MaxUint64, math.MaxUint64, func(st UndoStep, r *Record) error {
			if st.Rec != r.ID || st.Seq != r.Seq {
				t.Errorf("step %+v carries record %d of %d", st, r.ID, r.Seq)
			}
			got = append(got, r.ID)
			return nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if want := []uint64{r3.ID, r2.ID, r1.ID}; !slices.Equal(got, want) {
		t.Fatalf("undo steps %v, want %v", got, want)
	}
	if bb := batchOf(t, j, b.ID); bb.BackupBytes != 35 {
		t.Errorf("batch backup bytes %d, want 35", bb.BackupBytes)
	}

	// Undo two steps, then end the undo's bookkeeping.
	bb := batchOf(t, j, b.ID)
	now := time.Unix(3, 0)
	if err := j.Update(func(tx *Tx) error {
		if err := tx.StartUndo(bb, UndoRollback, r3.Seq, "", now); err != nil {
			return err
		}
		ids, err := tx.Undoing()
		if err != nil || !slices.Equal(ids, []uint64{b.ID}) {
			t.Errorf("undoing %v %v", ids, err)
		}
		for _, r := range []*Record{r3, r2} {
			rec, err := tx.Undone(bb, UndoStep{Seq: r.Seq, Rec: r.ID}, r, ops.Result{Outcome: ops.Done}, now)
			if err != nil {
				return err
			}
			if rec.Outcome != ops.Undone || rec.Undoes != r.ID {
				t.Errorf("undone record %+v", rec)
			}
		}
		var left []uint64
		if err := tx.UndoSteps(b.ID, bb.Undo.BelowSeq, bb.Undo.BelowRec, func(_ UndoStep, r *Record) error {
			left = append(left, r.ID)
			return nil
		}); err != nil {
			return err
		}
		if !slices.Equal(left, []uint64{r1.ID}) {
			t.Errorf("steps left %v, want [%d]", left, r1.ID)
		}
		if err := tx.EndUndo(bb, 0); err != nil {
			return err
		}
		if err := tx.EndUndo(bb, 0); !errors.Is(err, ErrState) {
			t.Errorf("EndUndo of a batch not being undone: %v, want ErrState", err)
		}
		ids, _ = tx.Undoing()
		if len(ids) != 0 {
			t.Errorf("still undoing %v", ids)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if bb := batchOf(t, j, b.ID); bb.Undo != nil || bb.State != "" {
		t.Errorf("batch after EndUndo %+v", bb)
	}
}

// TestBatch_EndOfUndoSteps checks the storage steps an undo ends with,
// each stored by itself: which undo steps DiscardSteps forgets and the
// files it hands to the next prune, Requeue, MarkCommitted, Drop's
// record, ForgetBackups' accounting, SetBatchState and CountRollback.
func TestBatch_EndOfUndoSteps(t *testing.T) {
	j := mustOpenJournal(t)
	b := ingestAtomic(t, j, RollbackKeep, "a", "b", "c", "d")
	r1 := runOp(t, j, b.FirstSeq, ops.Done, false, 10)
	runOp(t, j, b.FirstSeq+1, ops.Done, false, 20)
	runOp(t, j, b.FirstSeq+2, ops.Failed, true, 5)
	seq := func(i int) uint64 { return b.FirstSeq + uint64(i) }
	steps := func(tx *Tx) []uint64 {
		var got []uint64
		if err := tx.UndoSteps(b.ID, math.MaxUint64, math.MaxUint64, func(st UndoStep, _ *Record) error {
			got = append(got, st.Seq)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return got
	}
	var dropped *Record
	if err := j.Update(func(tx *Tx) error {
		bb, err := tx.Batch(b.ID)
		if err != nil {
			return err
		}
		if err := tx.DiscardSteps(bb, r1.Seq); err != nil {
			return err
		}
		if got := steps(tx); !slices.Equal(got, []uint64{r1.Seq}) {
			t.Errorf("steps after DiscardSteps(above %d): %v, want [%d]", r1.Seq, got, r1.Seq)
		}
		if !slices.Equal(bb.Discard, []string{"n", "n"}) || !tx.PrunePending() {
			t.Errorf("discard %v, prune pending %v: want the two steps' files, pending", bb.Discard, tx.PrunePending())
		}
		var seen []uint64
		if err := tx.BatchEntries(bb, func(e *Entry) error {
			seen = append(seen, e.Seq)
			switch e.Seq {
			case seq(0):
				return tx.MarkCommitted(e)
			case seq(1):
				return tx.Requeue(e)
			case seq(2):
				e.Decision, e.DecidedBy = Rerun, "someone"
				dropped, err = tx.Drop(e, "why", time.Unix(5, 0))
				return err
			}
			return nil
		}); err != nil {
			return err
		}
		if !slices.Equal(seen, []uint64{seq(0), seq(1), seq(2), seq(3)}) {
			t.Errorf("BatchEntries walked %v", seen)
		}
		if err := tx.ForgetBackups(bb); err != nil {
			return err
		}
		if got := tx.BackupBytes(); got != 0 {
			t.Errorf("backup bytes after ForgetBackups %d, want 0", got)
		}
		if err := tx.CountRollback(bb); err != nil {
			return err
		}
		return tx.SetBatchState(bb, BatchDropped)
	}); err != nil {
		t.Fatal(err)
	}
	if dropped.Outcome != ops.Dropped || dropped.Result.Err != "why" || dropped.Decision != "" || dropped.DecidedBy != "" ||
		!dropped.Committed.Equal(time.Unix(5, 0)) || dropped.StillQueued {
		t.Errorf("dropped record %+v", dropped)
	}
	want := []State{Committed, Queued, Committed, Queued}
	for i, w := range want {
		if got := stateOf(t, j, seq(i)); got != w {
			t.Errorf("entry %d: %s, want %s", i+1, got, w)
		}
	}
	if err := j.View(func(tx *Tx) error {
		e, err := tx.Get(seq(1))
		if err == nil && (e.Intent != nil || e.Decision != "") {
			t.Errorf("requeued entry keeps %+v", e)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	bb := batchOf(t, j, b.ID)
	if bb.State != BatchDropped || bb.RolledBack != 1 || bb.Backups != BackupsPruned || len(bb.Discard) != 2 {
		t.Errorf("stored batch %+v", bb)
	}
}

func TestBatch_PruneBackupsAccounting(t *testing.T) {
	j := mustOpenJournal(t)
	b1 := ingest(t, j, "a")
	b2 := ingest(t, j, "b")
	runOp(t, j, b1.FirstSeq, ops.Done, false, 100)
	runOp(t, j, b2.FirstSeq, ops.Done, false, 30)
	if err := j.Update(func(tx *Tx) error {
		if got := tx.BackupBytes(); got != 130 {
			t.Errorf("backup bytes %d, want 130", got)
		}
		names, err := tx.BackupNames(b1.ID)
		if err != nil || len(names) != 1 || names[0] != "n" {
			t.Errorf("names %v %v", names, err)
		}
		if err := tx.SetBackups(b1.ID, BackupsPruned); err != nil {
			return err
		}
		if got := tx.BackupBytes(); got != 30 {
			t.Errorf("backup bytes after prune %d, want 30", got)
		}
		// Pruned twice counts once.
		if err := tx.SetBackups(b1.ID, BackupsPruned); err != nil {
			return err
		}
		if got := tx.BackupBytes(); got != 30 {
			t.Errorf("backup bytes after a second prune %d, want 30", got)
		}
		n := 0
		err = tx.UndoSteps(b1.ID, math.MaxUint64, math.MaxUint64, func(UndoStep, *Record) error { n++; return nil })
		if err != nil || n != 0 {
			t.Errorf("pruned batch still has %d undo steps (%v)", n, err)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// TestCommittedBy: what CommittedBy says a success's commit marker leaves
// committed is what Commit then does, entry by entry, for a plain batch,
// an atomic batch's first entries (staged) and its last (all of them).
func TestCommittedBy(t *testing.T) {
	j := mustOpenJournal(t)
	plain := ingest(t, j, "p1", "p2")
	at := ingestAtomic(t, j, RollbackDrop, "a1", "a2", "a3")
	all := []uint64{plain.FirstSeq, plain.FirstSeq + 1, at.FirstSeq, at.FirstSeq + 1, at.FirstSeq + 2}
	for _, seq := range []uint64{plain.FirstSeq, at.FirstSeq, at.FirstSeq + 1, at.FirstSeq + 2, plain.FirstSeq + 1} {
		var said map[uint64]bool
		if err := j.View(func(tx *Tx) error {
			e, err := tx.Get(seq)
			if err != nil {
				return err
			}
			commits, err := tx.CommittedBy(e)
			if err != nil {
				return err
			}
			said = map[uint64]bool{}
			for _, s := range all {
				o, err := tx.Get(s)
				if err != nil {
					return err
				}
				said[s] = o.State == Committed || commits(o)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		runOp(t, j, seq, ops.Done, false, 0)
		for _, s := range all {
			if got := stateOf(t, j, s) == Committed; got != said[s] {
				t.Errorf("after the commit of %d: entry %d committed %v, CommittedBy said %v", seq, s, got, said[s])
			}
		}
	}
	if err := j.View(func(tx *Tx) error {
		commits, err := tx.CommittedBy(nil)
		if err == nil && commits(&Entry{Seq: plain.FirstSeq}) {
			t.Error("a nil entry commits something")
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
