package recovery

import (
	"context"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"smswork/journal"
	"smswork/ops"
)

// keep is the retention the undo tests run with (as smswork's default, a
// bound finished batches stay well under).
func keep(cfg *Config) { cfg.KeepBackups = 1 << 30 }

// undo is Undo with the env's config (changed by mod); crashed names the
// point of a crash.
func (e *env) undo(id uint64, opts UndoOptions, mod func(*Config)) (sum *Summary, crashed string, err error) {
	return e.try(func(cfg Config) (*Summary, error) { return Undo(context.Background(), cfg, id, opts) }, mod)
}

// checkUndone checks that batch 1, of file operations on a, b and c,
// is undone: the world as it was, one undone record per operation,
// newest first, each naming the record it reverses.
func (e *env) checkUndone(orig map[string]string) {
	e.t.Helper()
	if !maps.Equal(e.w.files, orig) {
		e.t.Errorf("world %v, want %v", e.w.files, orig)
	}
	var undone, undoes []uint64
	done := map[uint64]uint64{} // record -> seq
	for _, r := range e.records() {
		switch r.Outcome {
		case ops.Undone:
			undone = append(undone, r.Seq)
			undoes = append(undoes, r.Undoes)
		case ops.Done:
			done[r.ID] = r.Seq
		}
	}
	if !slices.Equal(undone, []uint64{3, 2, 1}) {
		e.t.Errorf("undone records of operations %v, want [3 2 1] once each", undone)
	}
	for i, id := range undoes {
		if done[id] != undone[i] {
			e.t.Errorf("undone record of %d undoes record %d (of %d)", undone[i], id, done[id])
		}
	}
	if b := e.batch(1); b.State != journal.BatchUndone || b.Undo != nil {
		e.t.Errorf("batch %+v", b)
	}
	e.view(func(tx *journal.Tx) error {
		if ids, err := tx.Undoing(); err != nil || len(ids) != 0 {
			e.t.Errorf("still undoing %v %v", ids, err)
		}
		return nil
	})
}

// TestUndo_FinishedBatch: smswork undo restores what a finished batch
// changed, newest first, and refuses a second time.
func TestUndo_FinishedBatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, `del c:\a`, `del c:\b`, `del c:\c`).withBackups()
	orig := e.original()
	e.run(keep)
	sum, _, err := e.undo(1, UndoOptions{By: "admin"}, keep)
	if err != nil {
		t.Fatal(err)
	}
	e.checkUndone(orig)
	want := []string{e.stampsOf("c")[0], e.stampsOf("b")[0], e.stampsOf("a")[0]}
	if !slices.Equal(e.bk.restored, want) {
		t.Errorf("restored %v, want %v", e.bk.restored, want)
	}
	if len(sum.Undos) != 1 || sum.Undos[0].Mode != journal.UndoLater || sum.Undos[0].Undone != 3 {
		t.Errorf("undos %+v", sum.Undos)
	}
	for _, r := range e.records() {
		if r.Outcome == ops.Undone && r.DecidedBy != "admin" {
			t.Errorf("undone record by %q", r.DecidedBy)
		}
	}
	// The backups it restored are done with.
	slices.Sort(e.bk.removed)
	if !slices.Equal(e.bk.removed, []string{"1-1", "2-1", "3-1"}) || len(e.bk.kept) != 0 {
		t.Errorf("backups removed %v, kept %v", e.bk.removed, e.bk.kept)
	}
	_, _, err = e.undo(1, UndoOptions{}, keep)
	var refused *UndoRefused
	if !errors.As(err, &refused) || !slices.Equal(refused.Problems, []string{"it was undone already"}) {
		t.Errorf("second undo: %v", err)
	}
}

// TestUndo_Refused: an undo that cannot be done as asked is refused,
// nothing changed, saying why; --partial and --force go on where they
// are meant to.
func TestUndo_Refused(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		entries []string
		setup   func(e *env)
		opts    UndoOptions
		// problem is the refusal, "" when the undo goes on; restored
		// names the operations undone then.
		problem  string
		restored []string
	}{
		{name: "not finished", entries: []string{`del c:\a`, `del c:\b`},
			setup:   func(e *env) { e.exec.scripts["b"] = &script{fail: -1} },
			problem: "it has not finished: operations of it are still queued (see smswork status)"},
		{name: "a run operation", entries: []string{`del c:\a`, `prog r`, `del c:\c`},
			problem: "entry 2 (prog r) cannot be undone: a program's effects are not known to smswork; --partial undoes the operations after it"},
		{name: "a run operation, partial", entries: []string{`del c:\a`, `prog r`, `del c:\c`},
			opts: UndoOptions{Partial: true}, restored: []string{"c"}},
		{name: "changed since", entries: []string{`del c:\a`, `del c:\b`},
			problem: `entry 1 (del c:\a): C:\a changed since; --force undoes anyway`},
		{name: "changed since, forced", entries: []string{`del c:\a`, `del c:\b`},
			opts: UndoOptions{Force: true}, restored: []string{"b", "a"}},
		{name: "backups pruned", entries: []string{`del c:\a`},
			problem: "its backups were removed by the retention setting (--keep-backups)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.entries...).withBackups()
			e.original()
			if tt.setup != nil {
				tt.setup(e)
			}
			retention := keep
			if tt.name == "backups pruned" {
				retention = func(cfg *Config) { cfg.KeepBackups = 0 }
			}
			e.run(retention)
			if strings.HasPrefix(tt.name, "changed since") {
				e.w.files["a"] = "changed by someone"
			}
			recs := len(e.records())
			_, _, err := e.undo(1, tt.opts, retention)
			if tt.problem == "" {
				if err != nil {
					t.Fatal(err)
				}
				var want []string
				for _, n := range tt.restored {
					want = append(want, e.stampsOf(n)[0])
				}
				if !slices.Equal(e.bk.restored, want) {
					t.Errorf("restored %v, want %v", e.bk.restored, want)
				}
				return
			}
			var refused *UndoRefused
			if !errors.As(err, &refused) || !slices.Contains(refused.Problems, tt.problem) {
				t.Fatalf("undo: %v, want refused: %s", err, tt.problem)
			}
			if len(e.bk.restored) != 0 || len(e.records()) != recs || e.batch(1).Undo != nil {
				t.Errorf("a refused undo changed something: restored %v, %d records (was %d)", e.bk.restored, len(e.records()), recs)
			}
		})
	}
}

// TestUndo_CrashResumed crashes an undo at each of its steps; the next
// start (a run) finishes it before anything else, each step undone
// exactly once.
func TestUndo_CrashResumed(t *testing.T) {
	t.Parallel()
	tests := []struct {
		crashAt      string
		panicRestore int
	}{
		{crashAt: "undo.after-start"},
		{crashAt: "undo.after-step:1"},
		{crashAt: "undo.after-step:3"},
		{panicRestore: 2},
	}
	for _, tt := range tests {
		name := tt.crashAt
		if tt.panicRestore != 0 {
			name = "in the second restore"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, `del c:\a`, `del c:\b`, `del c:\c`).withBackups()
			orig := e.original()
			e.run(keep)
			e.crashAt, e.bk.panicRestore = tt.crashAt, tt.panicRestore
			if _, crashed, err := e.undo(1, UndoOptions{}, keep); crashed == "" {
				t.Fatalf("undo did not crash: %v", err)
			}
			e.restart()
			if b := e.batch(1); b.Undo == nil {
				t.Fatalf("after the crash batch 1 is not being undone: %+v", b)
			}
			e.writeIni(`del c:\x`)
			e.exec.onExecute = func(string) {
				if b := e.batch(1); b.Undo != nil || !maps.Equal(e.w.files, orig) {
					t.Errorf("new work runs before the undo is finished: %+v, world %v", b.Undo, e.w.files)
				}
			}
			sum := e.run(keep)
			e.exec.onExecute = nil
			delete(e.w.files, "x")
			e.checkUndone(orig)
			if len(sum.Undos) != 1 || e.exec.count("execute", "x") != 1 {
				t.Errorf("undos %+v, x executed %d times", sum.Undos, e.exec.count("execute", "x"))
			}
			e.wantPending()
		})
	}
}

// TestRun_RollbackCrashResumed crashes an atomic batch's rollback; the
// next run finishes it first, then follows the author's choice.
func TestRun_RollbackCrashResumed(t *testing.T) {
	t.Parallel()
	a, b, c := `del c:\a`, `del c:\b`, `del c:\c`
	for _, choice := range []journal.RollbackChoice{journal.RollbackKeep, journal.RollbackDrop} {
		for _, at := range []string{"undo.after-start", "undo.after-step:2"} {
			t.Run(string(choice)+" "+at, func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, a, b, c).withBackups()
				orig := e.original()
				e.exec.scripts["c"] = &script{fail: 1}
				atomic := func(cfg *Config) { cfg.Atomic, cfg.OnRollback, cfg.KeepBackups = true, choice, 1<<30 }
				e.crashAt = at
				e.crashRun(atomic)
				if bt := e.batch(1); bt.Undo == nil {
					t.Fatalf("after the crash batch 1 is not being rolled back: %+v", bt)
				}
				e.run(atomic)
				var undone []uint64
				for _, r := range e.records() {
					if r.Outcome == ops.Undone {
						undone = append(undone, r.Seq)
					}
				}
				if !slices.Equal(undone, []uint64{3, 2, 1}) {
					t.Errorf("undone records of %v, want [3 2 1] once each", undone)
				}
				if choice == journal.RollbackDrop {
					if !maps.Equal(e.w.files, orig) || e.batch(1).State != journal.BatchDropped {
						t.Errorf("world %v, batch %+v", e.w.files, e.batch(1))
					}
					e.wantPending()
					return
				}
				// Kept: tried again whole once rolled back, and done.
				for _, n := range []string{"a", "b", "c"} {
					if ss := e.stampsOf(n); len(ss) != 2 || e.w.files[n] != ss[1] {
						t.Errorf("%s executed with %v, holds %q", n, ss, e.w.files[n])
					}
				}
				if bt := e.batch(1); bt.State != journal.BatchDone {
					t.Errorf("batch %+v", bt)
				}
				e.wantPending()
			})
		}
	}
}
