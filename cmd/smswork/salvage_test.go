package main

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smswork/internal/filelock"
)

// breakRoot overwrites the page number of the journal's root bucket page:
// every bucket is lost with it.
func breakRoot(t *testing.T, path string) {
	t.Helper()
	id := rootPage(t, path)
	b := make([]byte, 8)
	binary.NativeEndian.PutUint64(b, id+999)
	overwriteAt(t, path, int64(id)*int64(os.Getpagesize()), b)
}

// heldSeqs returns status --json's held operations, by entry text.
func heldSeqs(t *testing.T, b *box) map[string]uint64 {
	t.Helper()
	code, out, stderr := b.smswork("status", "--json")
	if code != 3 {
		t.Fatalf("status: exit %d, want 3 (held)\n%s%s", code, out, stderr)
	}
	var rep statusReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	held := map[string]uint64{}
	for _, e := range rep.Held {
		if !strings.Contains(e.HeldReason, "salvaged") {
			t.Errorf("held operation %d does not say why: %q", e.Seq, e.HeldReason)
		}
		held[e.Raw] = e.Seq
	}
	return held
}

func TestSalvage_SoundJournal(t *testing.T) {
	b := twoDoneBox(t)
	code, out, stderr := b.smswork("journal", "salvage")
	if code != 2 || !strings.Contains(stderr, "not damaged") {
		t.Fatalf("salvage of a sound journal: exit %d, want 2 (nothing to do)\n%s%s", code, out, stderr)
	}
	if m, _ := filepath.Glob(b.journal + ".broken-*"); len(m) != 0 {
		t.Fatalf("a sound journal was set aside: %v", m)
	}
	code, out, stderr = b.smswork("journal", "salvage", "--force")
	if code != 0 || !strings.Contains(out, "2 record(s) kept, 0 lost") {
		t.Fatalf("salvage --force: exit %d\n%s%s", code, out, stderr)
	}
	if m, _ := filepath.Glob(b.journal + ".broken-*"); len(m) != 1 {
		t.Fatalf("the old journal is not kept aside: %v", m)
	}
	if code, out, _ := b.smswork("verify"); code != 0 {
		t.Fatalf("verify after salvage: exit %d\n%s", code, out)
	}
	recs := b.historyJSON("--oldest-first")
	if len(recs) != 3 || recs[2].Outcome != "salvaged" || recs[0].Raw != `md c:\a` {
		t.Fatalf("history after salvage: %+v", recs)
	}
}

func TestSalvage_Locked(t *testing.T) {
	b := twoDoneBox(t)
	breakRoot(t, b.journal)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l, err := filelock.Acquire(ctx, b.journal+".lock")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = l.Unlock() }()
	if code, _, stderr := b.smswork("journal", "salvage"); code != 75 {
		t.Fatalf("salvage while another smswork holds the journal: exit %d, want 75\n%s", code, stderr)
	}
}

// TestSalvage_TrailingCommitIsHeld: a run operation committed just before
// the journal's root page was destroyed, while SMS.INI still lists it (it
// trails the journal): its state is unknown to what survives, so it is
// held, never run again on its own.
func TestSalvage_TrailingCommitIsHeld(t *testing.T) {
	b := newBox(t, "", nil)
	counter := filepath.Join(b.dir, "counter")
	a := fmt.Sprintf(`sh -c "echo A >> %s"`, counter)
	bb := fmt.Sprintf(`sh -c "echo B >> %s"`, counter)
	ini := "[SMS Work]\nPendingWork=" + a + ", " + bb + ", md c:\\x\n"
	if err := os.WriteFile(b.ini, []byte(ini), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := b.smsworkEnv([]string{"SMSWORK_FAILPOINT=op.after-commit"}, "run"); code != -1 {
		t.Fatalf("the failpoint did not kill the run: exit %d", code)
	}
	if lines(t, counter) != 1 || b.read("SMS.INI") != ini {
		t.Fatal("A must have run and SMS.INI still list it")
	}
	breakRoot(t, b.journal)
	code, _, stderr := b.smswork("run")
	refusedDamaged(t, b, "run", code, stderr)
	code, out, stderr := b.smswork("journal", "salvage")
	if code != 0 || !strings.Contains(out, "3 held") || !strings.Contains(out, "damaged file kept as") {
		t.Fatalf("salvage: exit %d\n%s%s", code, out, stderr)
	}
	held := heldSeqs(t, b)
	if len(held) != 3 {
		t.Fatalf("held: %v, want every SMS.INI entry", held)
	}
	// The history kept (from pages no tree reaches) says A was done:
	// a person skips it; the rest was never run.
	if recs := b.historyJSON("--outcome", "done"); len(recs) != 1 || recs[0].Raw != a {
		t.Fatalf("the salvaged history: %+v", recs)
	}
	for raw, seq := range held {
		d := "rerun"
		if raw == a {
			d = "skip"
		}
		if code, _, stderr := b.smswork("resolve", fmt.Sprint(seq), d); code != 0 {
			t.Fatalf("resolve %d: exit %d %s", seq, code, stderr)
		}
	}
	if code, _, stderr := b.smswork("run"); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	data, _ := os.ReadFile(counter)
	if string(data) != "A\nB\n" || !b.exists("x") {
		t.Fatalf("counter %q: each run operation must have run exactly once", data)
	}
	if code, out, _ := b.smswork("verify"); code != 0 {
		t.Fatalf("verify: exit %d\n%s", code, out)
	}
}

// TestSalvage_CommittedAndGoneDoesNotComeBack: an operation committed and
// no longer in SMS.INI, whose queue record and batch are lost with the
// root page, does not come back; what SMS.INI still lists is held.
func TestSalvage_CommittedAndGoneDoesNotComeBack(t *testing.T) {
	b := newBox(t, "", nil)
	counter := filepath.Join(b.dir, "counter")
	a := fmt.Sprintf(`sh -c "echo A >> %s"`, counter)
	ini := "[SMS Work]\nPendingWork=" + a + ", copy c:\\missing c:\\y, md c:\\x\n"
	if err := os.WriteFile(b.ini, []byte(ini), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, _ := b.smswork("run"); code != 1 {
		t.Fatalf("run: exit %d, want 1 (the copy fails)", code)
	}
	if strings.Contains(b.read("SMS.INI"), "echo A") {
		t.Fatal("SMS.INI still lists A")
	}
	breakRoot(t, b.journal)
	if code, out, stderr := b.smswork("journal", "salvage"); code != 0 {
		t.Fatalf("salvage: exit %d\n%s%s", code, out, stderr)
	}
	held := heldSeqs(t, b)
	if len(held) != 2 || held[a] != 0 {
		t.Fatalf("held: %v, want the copy and the md, not A", held)
	}
	if err := os.WriteFile(filepath.Join(b.c, "missing"), []byte("m"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, seq := range held {
		if code, _, stderr := b.smswork("resolve", fmt.Sprint(seq), "rerun"); code != 0 {
			t.Fatalf("resolve: exit %d %s", code, stderr)
		}
	}
	if code, _, stderr := b.smswork("run"); code != 0 {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	if lines(t, counter) != 1 || !b.exists("y") || !b.exists("x") {
		t.Fatalf("A ran %d times (want 1); y %v, x %v", lines(t, counter), b.exists("y"), b.exists("x"))
	}
}
