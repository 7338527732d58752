package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smswork/crashtest"
	"smswork/journal"
	"smswork/ops"
)

// treeOf snapshots every file, link and folder under root but SMS.INI and
// its lock: two equal snapshots are byte-identical trees (content,
// permission bits, modification times, link targets).
func treeOf(t *testing.T, root string) crashtest.Tree {
	t.Helper()
	tree, err := crashtest.SnapshotExact(root, func(rel string) bool {
		return rel == "SMS.INI" || strings.HasPrefix(rel, "SMS.INI.")
	})
	if err != nil {
		t.Fatal(err)
	}
	return tree
}

// sameTree reports how got differs from want.
func sameTree(t *testing.T, what string, want, got crashtest.Tree) {
	t.Helper()
	for _, d := range want.Diff(got) {
		t.Errorf("%s: %s", what, d)
	}
}

// txFiles is a tree every kind of file operation changes.
var txFiles = map[string]string{
	"temp/new.dll":          "new dll\n",
	"windows/app.dll":       "old dll\n",
	"windows/gone.dll":      "to delete\n",
	"data/a.txt":            "renamed\n",
	"data/b.txt":            "moved away\n",
	"old/":                  "",
	"tree/x.txt":            "in a tree\n",
	"tree/sub/y.txt":        "deeper\n",
	"tree/sub/empty/":       "",
	"touch/me.txt":          "touched\n",
	"windows/over/dst.txt":  "overwritten by a move\n",
	"windows/over/keep.txt": "untouched\n",
}

// txQueue changes txFiles with every kind of file operation.
var txQueue = []string{
	`copy c:\temp\new.dll c:\windows\app.dll /y`,
	`copy c:\temp\new.dll c:\windows\fresh.dll`,
	`del c:\windows\gone.dll`,
	`move c:\data\a.txt c:\data\renamed.txt`,
	`move c:\data\b.txt c:\windows\over\dst.txt`,
	`md c:\made\deep\er`,
	`rd c:\old`,
	`rd c:\tree /s /q`,
	`copy c:\touch\me.txt+,,`,
}

func txIni(entries ...string) string {
	return "[SMS]\r\nSiteCode=S01\r\n[SMS Work]\r\nPendingWork=" + strings.Join(entries, ", ") + "\r\n"
}

// txBox is a box with txFiles, whose file times are set in the past so
// that a restore that loses a time is seen.
func txBox(t *testing.T, entries ...string) *box {
	t.Helper()
	b := newBox(t, txIni(entries...), txFiles)
	for name := range txFiles {
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(filepath.Join(b.c, name), 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		old := time.Date(2020, 1, 2, 3, 4, 5, 6000, time.UTC)
		if err := os.Chtimes(filepath.Join(b.c, name), old, old); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Chmod(filepath.Join(b.c, "windows", "app.dll"), 0o600); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestRun_AtomicRollbackKeep: the last entry of an atomic batch fails;
// everything the batch did is undone and the file tree is byte-identical
// to before; the batch stays queued; once the cause is fixed it runs.
func TestRun_AtomicRollbackKeep(t *testing.T) {
	queue := append(append([]string{}, txQueue...), `copy c:\temp\missing.dll c:\windows\missing.dll`)
	b := txBox(t, queue...)
	before := treeOf(t, b.c)
	ini := b.read("SMS.INI")
	code, out, stderr := b.smswork("run", "--atomic")
	if code != 1 || !strings.Contains(stderr, "rolled back") {
		t.Fatalf("run --atomic with a failing entry: exit %d, want 1\n%s%s", code, out, stderr)
	}
	sameTree(t, "after the rollback", before, treeOf(t, b.c))
	if got := b.read("SMS.INI"); got != ini {
		t.Errorf("SMS.INI after a kept rollback:\n%q\nwant\n%q", got, ini)
	}
	recs := b.historyJSON("--batch", "1")
	counts := map[string]int{}
	for _, r := range recs {
		counts[string(r.Outcome)]++
	}
	if counts["done"] != len(txQueue) || counts["failed"] != 1 || counts["undone"] != len(txQueue)+1 {
		t.Errorf("audit of the rollback: %v", counts)
	}
	code, out, _ = b.smswork("verify")
	if code != 0 {
		t.Errorf("verify after a rollback: exit %d\n%s", code, out)
	}
	code, out, _ = b.smswork("status")
	if code != exitFailed || !strings.Contains(out, "atomic batches with work left: 1") || !strings.Contains(out, "in 0 file(s) on disk") {
		t.Errorf("status after a rollback (whose backups are done with): exit %d\n%s", code, out)
	}
	// Tried again whole, failed again, rolled back again: each undo step
	// of each attempt once.
	if code, out, stderr := b.smswork("run"); code != 1 {
		t.Fatalf("second run: exit %d\n%s%s", code, out, stderr)
	}
	sameTree(t, "after a second rollback", before, treeOf(t, b.c))
	undoes := map[uint64]bool{}
	undone := b.historyJSON("--outcome", "undone")
	for _, r := range undone {
		if undoes[r.Undoes] {
			t.Errorf("record %d undone twice", r.Undoes)
		}
		undoes[r.Undoes] = true
	}
	if len(undone) != 2*(len(txQueue)+1) {
		t.Errorf("%d undone records after two rollbacks, want %d", len(undone), 2*(len(txQueue)+1))
	}

	// Fixed: the next run does the whole batch.
	if err := os.WriteFile(filepath.Join(b.c, "temp", "missing.dll"), []byte("late\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	before = treeOf(t, b.c)
	code, out, stderr = b.smswork("run")
	if code != 0 || !strings.HasSuffix(b.read("SMS.INI"), "PendingWork=\r\n") {
		t.Fatalf("second run: exit %d\n%s%s", code, out, stderr)
	}
	if got := b.read("windows/app.dll"); got != "new dll\n" {
		t.Errorf("app.dll holds %q after the batch", got)
	}

	// And undo later puts the tree back as it was before that run.
	code, out, stderr = b.smswork("undo", "1")
	if code != 0 {
		t.Fatalf("undo 1: exit %d\n%s%s", code, out, stderr)
	}
	sameTree(t, "after undo", before, treeOf(t, b.c))
	code, _, stderr = b.smswork("undo", "1")
	if code != 2 || !strings.Contains(stderr, "undone already") {
		t.Errorf("a second undo: exit %d, want 2: %s", code, stderr)
	}
	code, out, _ = b.smswork("status")
	if code != 0 || !strings.Contains(out, "0 B kept for undo, 0 B in 0 file(s) on disk") {
		t.Errorf("status after undo: the backups it restored are done with:\n%s", out)
	}
	code, out, _ = b.smswork("verify", "--files")
	if code != 0 {
		t.Errorf("verify --files after undo: exit %d\n%s", code, out)
	}
	// The files the undo put back are vouched for: a change is drift.
	if err := os.WriteFile(filepath.Join(b.c, "windows", "app.dll"), []byte("tampered\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ = b.smswork("verify", "--files")
	if code == 0 || !strings.Contains(out, "app.dll") {
		t.Errorf("verify --files misses a change to a file undo put back: exit %d\n%s", code, out)
	}
}

// TestAdd_AtomicDrop: a batch added with --atomic --on-rollback=drop is
// recorded as such in the journal (SMS.INI stays a plain list), rolled
// back when it fails, and dropped from SMS.INI.
func TestAdd_AtomicDrop(t *testing.T) {
	b := txBox(t)
	before := treeOf(t, b.c)
	args := append([]string{"add", "--atomic", "--on-rollback=drop"}, txQueue...)
	args = append(args, `copy c:\temp\missing.dll c:\windows\x.dll`) // no such source: fails
	code, out, stderr := b.smswork(args...)
	if code != 0 || !strings.Contains(out, "atomic batch 1") {
		t.Fatalf("add --atomic: exit %d\n%s%s", code, out, stderr)
	}
	if got := b.read("SMS.INI"); got != txIni(append(append([]string{}, txQueue...), `copy c:\temp\missing.dll c:\windows\x.dll`)...) {
		t.Errorf("SMS.INI after add --atomic is not the plain list:\n%q", got)
	}
	code, out, stderr = b.smswork("run")
	if code != 1 {
		t.Fatalf("run: exit %d, want 1\n%s%s", code, out, stderr)
	}
	sameTree(t, "after the rollback", before, treeOf(t, b.c))
	if got := b.read("SMS.INI"); got != txIni() {
		t.Errorf("a dropped batch is still in SMS.INI:\n%q", got)
	}
	dropped := b.historyJSON("--outcome", "dropped")
	if len(dropped) != len(txQueue)+1 {
		t.Errorf("%d dropped records, want %d", len(dropped), len(txQueue)+1)
	}
	// Nothing is left: the next run does nothing.
	code, _, stderr = b.smswork("run")
	if code != 0 {
		t.Errorf("run after the drop: exit %d %s", code, stderr)
	}
	sameTree(t, "after another run", before, treeOf(t, b.c))
}

// TestAtomic_RunIsABarrier: a rollback stops at a run operation, which
// add and plan say beforehand.
func TestAtomic_RunIsABarrier(t *testing.T) {
	b := txBox(t)
	marker := filepath.Join(b.dir, "ran")
	entries := []string{
		`copy c:\temp\new.dll c:\windows\app.dll`,
		fmt.Sprintf(`sh -c "echo x >> %s"`, marker),
		`del c:\windows\gone.dll`,
		`copy c:\temp\missing c:\windows\x`,
	}
	code, out, stderr := b.smswork(append([]string{"add", "--atomic"}, entries...)...)
	if code != 0 || !strings.Contains(out, "entry 2") || !strings.Contains(out, "cannot be undone") {
		t.Fatalf("add --atomic with a run entry must say it: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = b.smswork("plan")
	if code != 0 || !strings.Contains(out, "cannot be undone") {
		t.Errorf("plan does not say a run cannot be undone:\n%s", out)
	}
	code, out, stderr = b.smswork("run")
	if code != 1 || !strings.Contains(stderr, "cannot be undone") {
		t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
	}
	if got := b.read("windows/app.dll"); got != "new dll\n" {
		t.Errorf("the copy before the barrier was undone: %q", got)
	}
	if !b.exists("windows/gone.dll") {
		t.Error("the del after the barrier was not undone")
	}
	if data, err := os.ReadFile(marker); err != nil || string(data) != "x\n" {
		t.Errorf("the program ran %q (%v), want once", data, err)
	}
	// Kept: the entries after the barrier stay queued, the rest is done.
	if got := b.read("SMS.INI"); got != txIni(entries[2:]...) {
		t.Errorf("SMS.INI after a rollback stopped at a barrier:\n%q", got)
	}
}

// TestUndo_Refusals: undo says why it will not, and changes nothing.
func TestUndo_Refusals(t *testing.T) {
	b := txBox(t, `copy c:\temp\new.dll c:\windows\app.dll`, `sh -c "exit 0"`, `del c:\windows\gone.dll`)
	code, out, stderr := b.smswork("run")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
	}
	after := treeOf(t, b.c)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"undo", "1"}, "--partial"},
		{[]string{"undo", "7"}, "not found"},
		{[]string{"undo", "x"}, "batch number"},
	} {
		code, _, stderr := b.smswork(tc.args...)
		if code != 2 || !strings.Contains(stderr, tc.want) {
			t.Errorf("%v: exit %d, want 2 and %q: %s", tc.args, code, tc.want, stderr)
		}
	}
	sameTree(t, "after refused undos", after, treeOf(t, b.c))

	// A later change to what the batch left is a conflict: the del's
	// file was made again since.
	if err := os.WriteFile(filepath.Join(b.c, "windows", "gone.dll"), []byte("made again since\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = b.smswork("undo", "1", "--partial")
	if code != 2 || !strings.Contains(stderr, "changed since") || !strings.Contains(stderr, "--force") {
		t.Errorf("undo over a later change: exit %d: %s", code, stderr)
	}
	code, out, stderr = b.smswork("undo", "1", "--partial", "--force")
	if code != 0 {
		t.Fatalf("undo --partial --force: exit %d\n%s%s", code, out, stderr)
	}
	if b.read("windows/gone.dll") != "to delete\n" || b.read("windows/app.dll") != "new dll\n" {
		t.Errorf("--partial --force must undo the del after the run, and only it")
	}
}

// TestUndo_CrashFinishedByNextStart: an undo killed half way is finished
// by the next start of smswork, whichever it is.
func TestUndo_CrashFinishedByNextStart(t *testing.T) {
	for _, next := range [][]string{{"run"}, {"undo", "1"}} {
		t.Run(next[0], func(t *testing.T) {
			b := txBox(t, txQueue...)
			before := treeOf(t, b.c)
			if code, out, stderr := b.smswork("run"); code != 0 {
				t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
			}
			code, _, _ := b.smsworkEnv([]string{"SMSWORK_FAILPOINT=undo.after-step:3"}, "undo", "1")
			if code != -1 {
				t.Fatalf("undo with a failpoint: exit %d, want killed", code)
			}
			code, out, stderr := b.smswork("status")
			if code != exitWaiting || !strings.Contains(out, "undo in progress (the next start finishes it: smswork run") || !strings.Contains(out, "): 1\n") {
				t.Errorf("status after a crashed undo: exit %d\n%s%s", code, out, stderr)
			}
			code, out, stderr = b.smswork(next...)
			if code != 0 && next[0] == "run" {
				t.Fatalf("%v: exit %d\n%s%s", next, code, out, stderr)
			}
			sameTree(t, "after the interrupted undo was finished", before, treeOf(t, b.c))
			undone := b.historyJSON("--outcome", "undone")
			if len(undone) != len(txQueue) {
				t.Errorf("%d undone records, want %d (one per operation, none twice)", len(undone), len(txQueue))
			}
		})
	}
}

// TestRun_KeepBackupsRetention: --keep-backups bounds what finished
// batches keep; a batch that lost its backups cannot be undone.
func TestRun_KeepBackupsRetention(t *testing.T) {
	b := txBox(t, txQueue...)
	code, out, stderr := b.smswork("run", "--keep-backups", "0")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = b.smswork("status")
	if code != 0 || !strings.Contains(out, "0 B kept for undo") || !strings.Contains(out, "in 0 file(s) on disk") {
		t.Errorf("status after retention removed everything:\n%s", out)
	}
	code, _, stderr = b.smswork("undo", "1")
	if code != 2 || !strings.Contains(stderr, "retention") {
		t.Errorf("undo of a pruned batch: exit %d %s", code, stderr)
	}
	if code, _, stderr := b.smswork("run", "--keep-backups", "lots"); code != 2 || !strings.Contains(stderr, "--keep-backups") {
		t.Errorf("a bad --keep-backups: exit %d %s", code, stderr)
	}
}

// TestPrune_UndoData: a history prune never takes what an atomic batch
// with work left needs to roll back; a finished batch whose records it
// removes can no longer be undone, and its backups go at the next run.
func TestPrune_UndoData(t *testing.T) {
	queue := append(append([]string{}, txQueue...), `copy c:\temp\missing.dll c:\windows\missing.dll`)
	b := txBox(t)
	before := treeOf(t, b.c)
	if code, out, stderr := b.smswork(append([]string{"add", "--atomic"}, queue...)...); code != 0 {
		t.Fatalf("add --atomic: exit %d\n%s%s", code, out, stderr)
	}
	// Killed after three operations of the batch are staged.
	if code, _, _ := b.smsworkEnv([]string{"SMSWORK_FAILPOINT=op.after-intent:4"}, "run"); code != -1 {
		t.Fatalf("run with a failpoint: exit %d, want killed", code)
	}
	if code, out, stderr := b.smswork("history", "prune", "--before", "2100-01-01"); code != 0 {
		t.Fatalf("prune: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr := b.smswork("run")
	if code != 1 || !strings.Contains(stderr, "rolled back") {
		t.Fatalf("run after the prune: exit %d, want 1\n%s%s", code, out, stderr)
	}
	sameTree(t, "after a rollback across a prune", before, treeOf(t, b.c))

	// Done for good this time, then its history pruned: no undo.
	if err := os.WriteFile(filepath.Join(b.c, "temp", "missing.dll"), []byte("late\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := b.smswork("run"); code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, stderr := b.smswork("history", "prune", "--before", "2100-01-01"); code != 0 {
		t.Fatalf("prune: exit %d\n%s%s", code, out, stderr)
	}
	code, _, stderr = b.smswork("undo", "1")
	if code != 2 || !strings.Contains(stderr, "backups were removed") {
		t.Errorf("undo of a batch whose history was pruned: exit %d: %s", code, stderr)
	}
	if code, out, stderr := b.smswork("run"); code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = b.smswork("status")
	if code != 0 || !strings.Contains(out, "0 B kept for undo") || !strings.Contains(out, "in 0 file(s) on disk") {
		t.Errorf("status after the next run:\n%s", out)
	}
	if code, out, _ := b.smswork("verify"); code != 0 {
		t.Errorf("verify: exit %d\n%s", code, out)
	}
}

// TestAtomic_FailedRunStaysQueued: when the operation that fails is a
// run operation, nothing before it can be undone; it and what follows stay
// queued (keep), what came before is done.
func TestAtomic_FailedRunStaysQueued(t *testing.T) {
	b := txBox(t)
	entries := []string{`copy c:\temp\new.dll c:\windows\app.dll`, `sh -c "exit 3"`, `del c:\windows\gone.dll`}
	if code, out, stderr := b.smswork(append([]string{"add", "--atomic"}, entries...)...); code != 0 {
		t.Fatalf("add: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr := b.smswork("run")
	if code != 1 {
		t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
	}
	if got := b.read("windows/app.dll"); got != "new dll\n" {
		t.Errorf("the copy before the failed run entry was undone: %q", got)
	}
	if got := b.read("SMS.INI"); got != txIni(entries[1:]...) {
		t.Errorf("SMS.INI: %q, want the failed run entry and what follows", got)
	}
}

// TestAdd_AtomicWhileJournalHeld: add --atomic needs the journal; while
// another smswork holds it, nothing is added and the exit status says to
// retry. A crash half way through add --atomic is finished by the next
// start: the batch is atomic and in SMS.INI.
func TestAdd_AtomicWhileJournalHeld(t *testing.T) {
	b := newBox(t, kbIni, kbFiles)
	j, err := journal.Open(b.journal, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := b.smswork("add", "--atomic", `md c:\x`)
	_ = j.Close()
	if code != 75 || !strings.Contains(stderr, "try again") || b.read("SMS.INI") != kbIni {
		t.Fatalf("add --atomic with the journal held: exit %d, want 75: %s", code, stderr)
	}
	for _, fp := range []string{"mirror.before-rename", "mirror.after-write"} {
		t.Run(fp, func(t *testing.T) {
			b := newBox(t, kbIni, kbFiles)
			code, _, _ := b.smsworkEnv([]string{"SMSWORK_FAILPOINT=" + fp}, "add", "--atomic", `md c:\x`, `copy c:\missing c:\y`)
			if code != -1 {
				t.Fatalf("exit %d, want killed", code)
			}
			code, out, stderr := b.smswork("run")
			if code != 1 || !strings.Contains(stderr, "rolled back") {
				t.Fatalf("run after a crashed add --atomic: exit %d, want a rollback\n%s%s", code, out, stderr)
			}
			if b.exists("x") {
				t.Error("the atomic batch's md was not rolled back")
			}
			if got := b.read("SMS.INI"); !strings.Contains(got, `md c:\x, copy c:\missing c:\y`) {
				t.Errorf("the kept batch is not in SMS.INI:\n%q", got)
			}
		})
	}
}

// TestPlan_RdTooLargeToUndo: an rd /s of a folder holding more entries
// than a backup keeps is marked at plan time, as the files are now.
func TestPlan_RdTooLargeToUndo(t *testing.T) {
	b := newBox(t, txIni(`rd c:\big /s /q`, `rd c:\small /s /q`), map[string]string{"small/a.txt": "a"})
	big := filepath.Join(b.c, "big")
	if err := os.MkdirAll(big, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range ops.MaxExpansion + 1 {
		if err := os.WriteFile(filepath.Join(big, fmt.Sprintf("f%d", i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, stderr := b.smswork("plan")
	if code != 0 {
		t.Fatalf("plan: exit %d\n%s%s", code, out, stderr)
	}
	if n := strings.Count(out, "cannot be undone: rd /s of a folder holding more than"); n != 1 {
		t.Errorf("plan marks %d rd /s entries as too large to undo, want 1 (the big one):\n%s", n, out)
	}
}
