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

	// Undo two steps, then finish: keep queues the whole batch again.
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
		recs, err := tx.FinishUndo(bb, 0, now)
		if err != nil || len(recs) != 0 {
			t.Errorf("finish keep: %v %v", recs, err)
		}
		ids, _ = tx.Undoing()
		if len(ids) != 0 {
			t.Errorf("still undoing %v", ids)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if got := stateOf(t, j, b.FirstSeq+uint64(i)); got != Queued {
			t.Errorf("entry %d after a kept rollback: %s, want queued", i+1, got)
		}
	}
	if bb := batchOf(t, j, b.ID); bb.RolledBack != 1 || bb.State != "" || bb.Undo != nil {
		t.Errorf("kept batch %+v", bb)
	}
}

func TestBatch_FinishUndoDropWithBarrier(t *testing.T) {
	j := mustOpenJournal(t)
	b := ingestAtomic(t, j, RollbackDrop, "a", "b", "c", "d")
	runOp(t, j, b.FirstSeq, ops.Done, false, 0)
	runOp(t, j, b.FirstSeq+1, ops.Done, false, 0) // the barrier
	runOp(t, j, b.FirstSeq+2, ops.Failed, true, 0)
	bb := batchOf(t, j, b.ID)
	var recs []*Record
	if err := j.Update(func(tx *Tx) (err error) {
		if err := tx.StartUndo(bb, UndoRollback, b.FirstSeq+2, "", time.Unix(3, 0)); err != nil {
			return err
		}
		recs, err = tx.FinishUndo(bb, b.FirstSeq+1, time.Unix(4, 0))
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Seq != b.FirstSeq+2 || recs[1].Seq != b.FirstSeq+3 || recs[0].Outcome != ops.Dropped {
		t.Fatalf("dropped records %+v", recs)
	}
	for i := range 4 {
		if got := stateOf(t, j, b.FirstSeq+uint64(i)); got != Committed {
			t.Errorf("entry %d after a dropped rollback: %s, want committed", i+1, got)
		}
	}
	if bb := batchOf(t, j, b.ID); bb.State != BatchDropped || bb.UndoBarrier != b.FirstSeq+1 {
		t.Errorf("dropped batch %+v", bb)
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
