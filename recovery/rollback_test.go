package recovery

import (
	"maps"
	"slices"
	"testing"
	"time"

	"smswork/journal"
	"smswork/ops"
)

// original is the world before the batches of the rollback and undo
// tests: every path they change holds a file.
func (e *env) original() map[string]string {
	files := map[string]string{"a": "orig-a", "b": "orig-b", "c": "orig-c"}
	maps.Copy(e.w.files, files)
	return files
}

// stampsOf returns the intent stamps the executions of name used, in order.
func (e *env) stampsOf(name string) []string {
	var ss []string
	for _, c := range e.exec.calls {
		if c.what == "execute" && c.name == name {
			ss = append(ss, c.stamp)
		}
	}
	return ss
}

// batch returns batch id.
func (e *env) batch(id uint64) *journal.Batch {
	e.t.Helper()
	var b *journal.Batch
	e.view(func(tx *journal.Tx) (err error) { b, err = tx.Batch(id); return err })
	return b
}

// TestRun_AtomicRollback: when an operation of an atomic batch fails,
// what the batch did is undone newest first, the failed operation
// included, then the batch stays queued (keep, tried again whole at the
// next run) or is dropped (a dropped record per entry).
func TestRun_AtomicRollback(t *testing.T) {
	t.Parallel()
	a, b, c := `del c:\a`, `del c:\b`, `del c:\c`
	for _, choice := range []journal.RollbackChoice{journal.RollbackKeep, journal.RollbackDrop} {
		t.Run(string(choice), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, a, b, c).withBackups()
			orig := e.original()
			e.exec.scripts["c"] = &script{fail: 1}
			atomic := func(cfg *Config) { cfg.Atomic, cfg.OnRollback = true, choice }
			sum := e.run(atomic)
			if !maps.Equal(e.w.files, orig) {
				t.Errorf("world after the rollback %v, want %v", e.w.files, orig)
			}
			want := []string{e.stampsOf("c")[0], e.stampsOf("b")[0], e.stampsOf("a")[0]}
			if !slices.Equal(e.bk.restored, want) {
				t.Errorf("restored %v, want %v (newest first)", e.bk.restored, want)
			}
			recs := e.records()
			var got []string
			for _, r := range recs {
				got = append(got, string(r.Outcome)+" "+r.Raw)
			}
			wantRecs := []string{"done " + a, "done " + b, "failed " + c, "undone " + c, "undone " + b, "undone " + a}
			if choice == journal.RollbackDrop {
				wantRecs = append(wantRecs, "dropped "+a, "dropped "+b, "dropped "+c)
			}
			if !slices.Equal(got, wantRecs) {
				t.Fatalf("records\n%q\nwant\n%q", got, wantRecs)
			}
			for i, undone := range recs[3:6] {
				if undone.Undoes != recs[2-i].ID {
					t.Errorf("record %d undoes %d, want %d", undone.ID, undone.Undoes, recs[2-i].ID)
				}
			}
			if len(sum.Undos) != 1 || sum.Undos[0] != (RolledBack{Batch: 1, Failed: 3, Undone: 3, Choice: choice, Mode: journal.UndoRollback}) ||
				sum.Failed == nil || sum.Failed.Raw != c {
				t.Errorf("summary undos %+v, failed %+v", sum.Undos, sum.Failed)
			}
			bt := e.batch(1)
			if choice == journal.RollbackDrop {
				for _, r := range recs[6:] {
					if r.Result.Err != "atomic batch 1 rolled back; its author chose to drop it" {
						t.Errorf("dropped record's text %q", r.Result.Err)
					}
				}
				if bt.State != journal.BatchDropped || bt.Backups != journal.BackupsPruned || bt.Undo != nil {
					t.Errorf("dropped batch %+v", bt)
				}
				e.wantPending()
				return
			}
			if bt.State != "" || bt.RolledBack != 1 || bt.Undo != nil || bt.Backups != "" {
				t.Errorf("kept batch %+v", bt)
			}
			e.wantPending(a, b, c)
			// Tried again whole at the next run.
			e.run(atomic)
			for _, n := range []string{"a", "b", "c"} {
				if ss := e.stampsOf(n); e.w.files[n] != ss[len(ss)-1] || len(e.bk.restored) != 3 {
					t.Errorf("%s holds %q after the second attempt (%d restores)", n, e.w.files[n], len(e.bk.restored))
				}
			}
			if bt := e.batch(1); bt.State != journal.BatchDone {
				t.Errorf("batch %+v", bt)
			}
			e.wantPending()
		})
	}
}

// TestRun_AtomicRollbackTwice: a batch kept after a rollback and rolled
// back again undoes only its second attempt (TestTx_KeepTwice's bug: the
// first attempt's steps were undone again).
func TestRun_AtomicRollbackTwice(t *testing.T) {
	t.Parallel()
	e := newEnv(t, `del c:\a`, `del c:\b`, `del c:\c`).withBackups()
	orig := e.original()
	e.exec.scripts["c"] = &script{fail: 2}
	atomic := func(cfg *Config) { cfg.Atomic = true }
	e.run(atomic)
	e.run(atomic)
	if !maps.Equal(e.w.files, orig) || len(e.bk.restored) != 6 {
		t.Fatalf("world %v after %d restores, want %v after 6", e.w.files, len(e.bk.restored), orig)
	}
	want := []string{e.stampsOf("c")[1], e.stampsOf("b")[1], e.stampsOf("a")[1]}
	if !slices.Equal(e.bk.restored[3:], want) {
		t.Errorf("second rollback restored %v, want the second attempt's %v", e.bk.restored[3:], want)
	}
	e.run(atomic)
	e.wantPending()
	if bt := e.batch(1); bt.State != journal.BatchDone || bt.RolledBack != 2 {
		t.Errorf("batch %+v", bt)
	}
}

// TestRun_AtomicRollbackBarrier: a rollback stops at a run operation: it
// and the operations before it keep their effects and are committed;
// the rest follow the author's choice.
func TestRun_AtomicRollbackBarrier(t *testing.T) {
	t.Parallel()
	a, r, c := `del c:\a`, `prog r`, `del c:\c`
	for _, choice := range []journal.RollbackChoice{journal.RollbackKeep, journal.RollbackDrop} {
		t.Run(string(choice), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, a, r, c).withBackups()
			e.original()
			e.exec.scripts["c"] = &script{fail: -1}
			sum := e.run(func(cfg *Config) { cfg.Atomic, cfg.OnRollback = true, choice })
			if !slices.Equal(e.bk.restored, e.stampsOf("c")) || e.w.files["a"] != e.stampsOf("a")[0] || e.w.files["c"] != "orig-c" {
				t.Errorf("restored %v, world %v: want c alone undone", e.bk.restored, e.w.files)
			}
			if len(sum.Undos) != 1 || sum.Undos[0].Barrier != 2 || sum.Undos[0].Undone != 1 {
				t.Errorf("undos %+v", sum.Undos)
			}
			if bt := e.batch(1); bt.UndoBarrier != 2 {
				t.Errorf("batch %+v", bt)
			}
			dropped := []ops.Outcome{ops.Failed, ops.Undone, ops.Dropped}
			if choice == journal.RollbackKeep {
				dropped = dropped[:2]
				e.wantPending(c)
			} else {
				e.wantPending()
			}
			if got := e.outcomes(c); !slices.Equal(got, dropped) {
				t.Errorf("records of c %v, want %v", got, dropped)
			}
			if len(e.recordsOf(a)) != 1 || len(e.recordsOf(r)) != 1 {
				t.Errorf("records before the barrier: %v %v", e.outcomes(a), e.outcomes(r))
			}
		})
	}
}

// TestFinishUndo checks the policy of the end of an undo on a real
// journal: which entries are committed, queued again or dropped, with
// which records, what becomes of the batch and of its undo steps.
func TestFinishUndo(t *testing.T) {
	t.Parallel()
	const C, Q = journal.Committed, journal.Queued
	tests := []struct {
		name    string
		mode    journal.UndoMode
		choice  journal.RollbackChoice
		failed  uint64 // the operation that failed (rollback), of 1..4
		barrier uint64
		// states of the 4 entries after, the seqs dropped, the batch,
		// and the undo steps left (by seq).
		states    []journal.State
		dropped   []uint64
		state     journal.BatchState
		backups   journal.BackupsState
		stepsLeft []uint64
	}{
		{"keep", journal.UndoRollback, journal.RollbackKeep, 3, 0, []journal.State{Q, Q, Q, Q}, nil, "", "", nil},
		{"keep with a barrier", journal.UndoRollback, journal.RollbackKeep, 3, 2, []journal.State{C, C, Q, Q}, nil, "", "", []uint64{2, 1}},
		{"drop", journal.UndoRollback, journal.RollbackDrop, 3, 0, []journal.State{C, C, C, C}, []uint64{1, 2, 3, 4}, journal.BatchDropped, journal.BackupsPruned, nil},
		{"drop with a barrier", journal.UndoRollback, journal.RollbackDrop, 3, 2, []journal.State{C, C, C, C}, []uint64{3, 4}, journal.BatchDropped, journal.BackupsPruned, nil},
		{"drop with a barrier that failed", journal.UndoRollback, journal.RollbackDrop, 3, 3, []journal.State{C, C, C, C}, []uint64{3, 4}, journal.BatchDropped, journal.BackupsPruned, nil},
		{"keep with a barrier that failed", journal.UndoRollback, journal.RollbackKeep, 3, 3, []journal.State{C, C, Q, Q}, nil, "", "", []uint64{3, 2, 1}},
		{"undo later", journal.UndoLater, "", 0, 0, []journal.State{C, C, C, C}, nil, journal.BatchUndone, journal.BackupsPruned, nil},
		{"undo later with a barrier", journal.UndoLater, "", 0, 2, []journal.State{C, C, C, C}, nil, journal.BatchUndone, journal.BackupsPruned, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			j, _ := mustOpenJournal(t, t.TempDir()+"/j")
			now := time.Unix(100, 0)
			raws := []string{`del c:\1`, `del c:\2`, `del c:\3`, `del c:\4`}
			var b journal.Batch
			var recs []*journal.Record
			err := j.Update(func(tx *journal.Tx) (err error) {
				var es []journal.NewEntry
				for _, r := range raws {
					op, _ := ops.Parse(r)
					es = append(es, journal.NewEntry{Raw: r, Op: *op})
				}
				if b, err = tx.IngestBatch("SMS.INI", now, es, tt.mode == journal.UndoRollback, tt.choice); err != nil {
					return err
				}
				last := uint64(4)
				if tt.failed != 0 {
					last = tt.failed
				}
				for seq := uint64(1); seq <= last; seq++ {
					e, err := tx.Get(seq)
					if err != nil {
						return err
					}
					in := &ops.Intent{Backups: []ops.Backup{{Path: e.Op.Src, Prior: ops.PriorFile, Name: raws[seq-1][7:], Size: 1}}}
					if err := tx.SetIntent(e, in, now); err != nil {
						return err
					}
					res := ops.Result{Outcome: ops.Done}
					if seq == tt.failed {
						res = ops.Result{Outcome: ops.Failed, Err: "failed"}
					}
					if _, err := tx.Commit(e, res, seq == tt.failed, now); err != nil {
						return err
					}
				}
				bb, err := tx.Batch(b.ID)
				if err != nil {
					return err
				}
				if err := tx.StartUndo(bb, tt.mode, tt.failed, "", now); err != nil {
					return err
				}
				recs, err = finishUndo(tx, bb, tt.barrier, now)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			var dropped []uint64
			for _, r := range recs {
				if r.Outcome != ops.Dropped || r.Result.Err != droppedText(b.ID) || !r.Committed.Equal(now) {
					t.Errorf("record %+v", r)
				}
				dropped = append(dropped, r.Seq)
			}
			if !slices.Equal(dropped, tt.dropped) {
				t.Errorf("dropped %v, want %v", dropped, tt.dropped)
			}
			err = j.View(func(tx *journal.Tx) error {
				for i, want := range tt.states {
					e, err := tx.Get(uint64(i + 1))
					if err != nil {
						return err
					}
					if e.State != want || want == Q && (e.Intent != nil || e.Decision != "") {
						t.Errorf("entry %d: %s (intent %v), want %s", i+1, e.State, e.Intent != nil, want)
					}
				}
				bb, err := tx.Batch(b.ID)
				if err != nil {
					return err
				}
				rolledBack := 0
				if tt.mode == journal.UndoRollback && tt.choice == journal.RollbackKeep {
					rolledBack = 1
				}
				if bb.State != tt.state || bb.Backups != tt.backups || bb.Undo != nil || bb.UndoBarrier != tt.barrier || bb.RolledBack != rolledBack {
					t.Errorf("batch %+v", bb)
				}
				if ids, err := tx.Undoing(); err != nil || len(ids) != 0 {
					t.Errorf("still undoing %v %v", ids, err)
				}
				var left []uint64
				if err := tx.UndoSteps(b.ID, ^uint64(0), ^uint64(0), func(st journal.UndoStep, _ *journal.Record) error {
					left = append(left, st.Seq)
					return nil
				}); err != nil {
					return err
				}
				if !slices.Equal(left, tt.stepsLeft) {
					t.Errorf("undo steps left %v, want %v", left, tt.stepsLeft)
				}
				if tt.backups == journal.BackupsPruned && tx.BackupBytes() != 0 {
					t.Errorf("backup bytes %d after the batch's were forgotten", tx.BackupBytes())
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}
