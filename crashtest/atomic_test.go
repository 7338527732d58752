package crashtest

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"smswork/journal"
	"smswork/ops"
)

// The tests of this file and atomic_linux_test.go crash the transactional
// scenarios (see TxCase): an atomic batch rolled back and kept (TxKeep)
// or dropped (TxDrop), and a finished batch undone (TxUndo). Their file
// names sort before summary_test.go, whose TestSummary must run last.

var (
	txOnce sync.Once
	txW    *TxWorkload
)

// txWorkload is the transactional workload, made once (its large files
// are random bytes).
func txWorkload() *TxWorkload {
	txOnce.Do(func() { txW = Transactional() })
	return txW
}

// txModes are the transactional scenarios.
var txModes = []string{TxKeep, TxDrop, TxUndo, TxPrune}

// txAllFailpoints are the named failpoints relevant to batches: those of
// an operation's life, of SMS.INI's rewrite, of each kind of file
// operation, of an undo and of the retention of backups.
var txAllFailpoints = []string{
	"op.before-intent", "op.after-intent", "op.after-backup", "op.before-commit", "op.after-commit",
	"mirror.before-write", "mirror.before-rename", "mirror.after-write",
	"copy.before-temp", "copy.mid-write", "copy.before-rename", "copy.after-rename",
	"del.before-remove", "del.before-sync",
	"move.before-rename", "move.after-rename", "move.after-copy", "move.before-delete",
	"md.before-mkdir", "rd.before-remove",
	"undo.after-start", "undo.before-restore", "undo.after-rename", "undo.after-step",
	"prune.before-remove",
}

// txReached lists the failpoints of txAllFailpoints each scenario's
// crashed process reaches; with -crashtest.full, TestTx_Unreached checks
// that it reaches no other.
var txReached = map[string][]string{
	// A kept atomic batch stays listed (SMS.INI is never rewritten), and
	// has not finished (the retention setting leaves its backups alone).
	TxKeep: without(txAllFailpoints, "mirror.before-write", "mirror.before-rename", "mirror.after-write", "prune.before-remove"),
	// A dropped batch's backups go when it is dropped, not by retention.
	TxDrop: without(txAllFailpoints, "prune.before-remove"),
	// An undo runs no operation and leaves SMS.INI alone; each of its
	// steps commits as an operation does.
	TxUndo: {"op.after-commit", "undo.after-start", "undo.before-restore", "undo.after-rename", "undo.after-step"},
	// A run with nothing queued and a finished batch over the retention
	// setting only removes the batch's backups.
	TxPrune: {"prune.before-remove"},
}

// without returns names less those in drop.
func without(names []string, drop ...string) []string {
	var left []string
	for _, n := range names {
		if !slices.Contains(drop, n) {
			left = append(left, n)
		}
	}
	return left
}

// txFailpoints lists the failpoints scenario mode reaches; with -short,
// only those of backups, undo and retention.
func txFailpoints(mode string) []string {
	var fps []string
	for _, fp := range txReached[mode] {
		if testing.Short() && !strings.HasPrefix(fp, "undo.") && fp != "op.after-backup" && fp != "prune.before-remove" {
			continue
		}
		fps = append(fps, fp)
	}
	return fps
}

// txRun is how one transactional crash is made.
type txRun struct {
	bin, base, kind, mode string
	// wrapper and env make the crashed process die (strace, a failpoint).
	wrapper, env []string
	// then, when set, is the environment of the first next start, which
	// it kills too (a crash during recovery).
	then []string
	// settle, when set, runs once the scenario is set up (power loss:
	// make it durable); cut, after the kill (power loss: cut the power).
	settle, cut func() error
}

// txCrash sets up scenario r.mode in a new sandbox under r.base, runs its
// crashed process and, when it is killed, checks the crashed state, runs
// the next start to completion and checks the end; when it is not killed,
// it checks the end of the crash-free process. It reports whether the
// process was killed.
func txCrash(t *testing.T, r txRun, label string) bool {
	t.Helper()
	dir, err := os.MkdirTemp(r.base, "tx-")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	s, err := NewSandbox(r.bin, dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Kind = r.kind
	c, err := NewTxCase(s, txWorkload(), r.mode)
	if err != nil {
		t.Fatal(err)
	}
	if r.settle != nil {
		if err := r.settle(); err != nil {
			t.Fatal(err)
		}
	}
	o, err := s.RunWrapped(r.wrapper, r.env, c.Crash...)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Killed {
		reportViolations(t, s, fmt.Sprintf("%s: %s, not killed", r.mode, label), c.CheckFinal(o, nil))
		return false
	}
	if r.cut != nil {
		if err := r.cut(); err != nil {
			t.Fatalf("%s: %v", label, err)
		}
	}
	prefix := fmt.Sprintf("%s: after a crash at %s", r.mode, label)
	st, v := c.CheckCrashed()
	reportViolations(t, s, prefix, v)
	if r.then != nil {
		o, err := s.Run(r.then, c.Recover...)
		if err != nil {
			t.Fatal(err)
		}
		if !o.Killed {
			t.Fatalf("%s: the next start was not killed by %v: exit %d: %s", prefix, r.then, o.Code, o.Stderr)
		}
		prefix += fmt.Sprintf(" then %v", r.then)
		st2, v := c.CheckCrashed()
		reportViolations(t, s, prefix, v)
		st.Undo = st.Undo || st2.Undo
	}
	o, err = s.Run(nil, c.Recover...)
	if err != nil {
		t.Fatal(err)
	}
	reportViolations(t, s, prefix+" and the next start", c.CheckFinal(o, &st))
	return true
}

// txFailpointLimit is how many occurrences of each failpoint the
// transactional sweeps try: the first two by default, the first with
// -short, every one with -crashtest.full.
func txFailpointLimit() int {
	switch {
	case *full:
		return 1 << 30
	case testing.Short():
		return 1
	}
	return 2
}

// TestTx_CrashFree runs each transactional scenario without a crash and
// checks what it must leave: an atomic batch with a failing last entry
// exits 1 with the tree byte-identical to before it and SMS.INI as before
// (keep) or with an empty PendingWork (drop); an undo of the finished
// batch exits 0 with the tree as before the batch, and refuses a second
// undo.
func TestTx_CrashFree(t *testing.T) {
	for _, mode := range txModes {
		t.Run(mode, func(t *testing.T) {
			if txCrash(t, txRun{bin: binPath, base: t.TempDir(), kind: "tx reference", mode: mode}, "no crash") {
				t.Fatal("killed without a failpoint")
			}
		})
	}
}

// TestTx_Failpoints kills each transactional scenario's process at every
// named failpoint it reaches, at its first occurrences (every occurrence
// with -crashtest.full), runs the next start to completion, and checks
// the crashed state and the end (TxCase.CheckCrashed, CheckFinal).
func TestTx_Failpoints(t *testing.T) {
	limit := txFailpointLimit()
	for _, mode := range txModes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			r := txRun{bin: binPath, base: t.TempDir(), kind: mode + " failpoint", mode: mode}
			for _, fp := range txFailpoints(mode) {
				t.Run(fp, func(t *testing.T) {
					n := 1
					for ; n <= limit; n++ {
						spec := fmt.Sprintf("%s:%d", fp, n)
						r.env = []string{"SMSWORK_FAILPOINT=" + spec}
						if !txCrash(t, r, spec) || t.Failed() {
							break
						}
					}
					if n == 1 && !t.Failed() {
						t.Fatalf("failpoint %s is never reached in scenario %s", fp, mode)
					}
					t.Logf("%s: %d crash points", fp, min(n, limit+1)-1)
				})
			}
		})
	}
}

// TestTx_Unreached checks, with -crashtest.full, that no scenario
// reaches a failpoint txReached leaves out of it: a list that missed a
// reachable failpoint would skip its crash points silently.
func TestTx_Unreached(t *testing.T) {
	for _, mode := range txModes {
		for _, fp := range txReached[mode] {
			if !slices.Contains(txAllFailpoints, fp) {
				t.Errorf("%s: unknown failpoint %s", mode, fp)
			}
		}
	}
	if !*full {
		return
	}
	for _, mode := range txModes {
		for _, fp := range without(txAllFailpoints, txReached[mode]...) {
			t.Run(mode+"/"+fp, func(t *testing.T) {
				r := txRun{bin: binPath, base: t.TempDir(), kind: "tx reference", mode: mode,
					env: []string{"SMSWORK_FAILPOINT=" + fp + ":1"}}
				if txCrash(t, r, fp+":1") {
					t.Errorf("failpoint %s, not in txReached[%q], was reached", fp, mode)
				}
			})
		}
	}
}

// TestTx_DoubleCrash kills a rollback and an undo half way, then kills
// the next start as it finishes them, then runs to completion: no step
// may be undone twice, none lost.
func TestTx_DoubleCrash(t *testing.T) {
	second := []string{"undo.before-restore", "undo.after-rename", "undo.after-step", "op.after-commit"}
	if testing.Short() {
		second = second[2:3]
	}
	for _, mode := range []string{TxKeep, TxDrop, TxUndo} {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			for _, fp := range second {
				t.Run(fp, func(t *testing.T) {
					first := "undo.after-step:2"
					r := txRun{bin: binPath, base: t.TempDir(), kind: "tx double crash", mode: mode,
						env: []string{"SMSWORK_FAILPOINT=" + first}, then: []string{"SMSWORK_FAILPOINT=" + fp + ":1"}}
					if !txCrash(t, r, first) {
						t.Fatalf("first crash point %s not reached", first)
					}
				})
			}
		})
	}
}

// TestTx_KeepTwice runs a kept atomic batch that fails at three starts
// in a row, as it does at each boot until its cause is fixed, with a file
// it overwrites replaced between the first two (an installer's update):
// each rollback undoes what its own attempt did, once, and leaves the
// tree as it was before that attempt.
func TestTx_KeepTwice(t *testing.T) {
	s, err := NewSandbox(binPath, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s.Kind = "tx reference"
	c, err := NewTxCase(s, txWorkload(), TxKeep)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		if o, err := s.Run(nil, c.Crash...); err != nil || o.Code != 1 {
			t.Fatalf("%v: exit %d %v: %s", c.Crash, o.Code, err, o.Stderr)
		}
		if i > 0 {
			continue
		}
		p := filepath.Join(s.C, "windows", "app.dll")
		if err := os.WriteFile(p+".new", []byte("app v1.5, installed between two boots\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(p+".new", p); err != nil {
			t.Fatal(err)
		}
		if c.Before, err = snapshotTx(s); err != nil {
			t.Fatal(err)
		}
	}
	o, err := s.Run(nil, c.Recover...)
	if err != nil {
		t.Fatal(err)
	}
	reportViolations(t, s, "after three failed starts", c.CheckFinal(o, &TxCrash{}))
}

// checkerCase is a keep case in a new sandbox, for TestTx_CheckersCatch.
func checkerCase(t *testing.T) (*Sandbox, *TxCase) {
	t.Helper()
	s, err := NewSandbox(binPath, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s.Kind = "demo/tx checkers"
	c, err := NewTxCase(s, txWorkload(), TxKeep)
	if err != nil {
		t.Fatal(err)
	}
	return s, c
}

// TestTx_CheckersCatch shows that the transactional checkers see what
// they must: a batch that is not rolled back (run without --atomic), a
// file whose modification time or permission bits alone differ, a step
// undone twice, one never undone, and undo steps out of order.
func TestTx_CheckersCatch(t *testing.T) {
	t.Run("no rollback", func(t *testing.T) {
		s, c := checkerCase(t)
		c.Crash = []string{"run"} // the batch is not atomic: nothing is undone
		o, err := s.Run(nil, c.Crash...)
		if err != nil {
			t.Fatal(err)
		}
		v := c.CheckFinal(o, nil)
		if !slices.ContainsFunc(v, func(s string) bool { return strings.HasPrefix(s, "tree at the end: ") }) {
			t.Errorf("a batch left done is not seen: %q", v)
		}
	})
	t.Run("time and mode", func(t *testing.T) {
		s, c := checkerCase(t)
		p := filepath.Join(s.C, "windows", "app.dll")
		if err := os.Chtimes(p, txEpoch, txEpoch.Add(time.Nanosecond)); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(filepath.Join(s.C, "tree", "sub"), 0o755); err != nil {
			t.Fatal(err)
		}
		v := c.diffTree("now", c.Before)
		if len(v) != 2 {
			t.Errorf("a changed time and a changed mode give %q", v)
		}
	})
	t.Run("history", func(t *testing.T) {
		in := &ops.Intent{}
		rec := func(id, seq uint64, outcome ops.Outcome, undoes uint64) journal.Record {
			return journal.Record{ID: id, Seq: seq, Batch: 1, Pos: int(seq), Raw: fmt.Sprint(seq), Outcome: outcome, Intent: in, Undoes: undoes}
		}
		entries := []string{"1", "2"}
		good := []journal.Record{rec(1, 1, ops.Done, 0), rec(2, 2, ops.Done, 0), rec(3, 2, ops.Undone, 2), rec(4, 1, ops.Undone, 1)}
		if v := checkTxHistory(good, entries, TxUndo); len(v) > 0 {
			t.Errorf("a good history: %q", v)
		}
		for name, recs := range map[string][]journal.Record{
			"undone twice": append(slices.Clone(good), rec(5, 1, ops.Undone, 1)),
			"never undone": good[:3],
			"out of order": {good[0], good[1], rec(3, 1, ops.Undone, 1), rec(4, 2, ops.Undone, 2)},
		} {
			if v := checkTxHistory(recs, entries, TxUndo); len(v) == 0 {
				t.Errorf("%s: not seen", name)
			}
		}
	})
}
