package recovery

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"smswork/internal/fsroot"
	"smswork/internal/pendmove"
	"smswork/journal"
	"smswork/ops"
	"smswork/ops/exec"
	"smswork/smsini"
)

// rebootRig is a run on a real journal, SMS.INI and drive C:, whose
// C:\windows\system\netapi.dll is held open by another program until the
// scripted Session Manager boots.
type rebootRig struct {
	t    *testing.T
	cfg  Config
	sm   *pendmove.Fake
	c    string
	held bool
}

const rebootDLL = "windows/system/netapi.dll"

func newRebootRig(t *testing.T, entries string) *rebootRig {
	t.Helper()
	c := t.TempDir()
	for rel, data := range map[string]string{"temp/netapi.dll": "new", rebootDLL: "old"} {
		p := filepath.Join(c, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := fsroot.NewDrives(map[string]string{"C": c})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = d.Close() })
	r := &rebootRig{t: t, sm: &pendmove.Fake{}, c: c, held: true}
	x := &exec.Executor{Drives: d, Reboot: r.sm, HeldOpen: func(p ops.Path) bool {
		return r.held && strings.EqualFold(p.Rel, rebootDLL)
	}}
	r.cfg = testConfig(t, x, entries)
	return r
}

func (r *rebootRig) run() *Summary {
	r.t.Helper()
	sum, err := Run(context.Background(), r.cfg)
	if err != nil {
		r.t.Fatal(err)
	}
	return sum
}

func (r *rebootRig) read(rel string) string {
	p := filepath.Join(r.c, filepath.FromSlash(rel))
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return "<folder>"
	}
	b, err := os.ReadFile(p)
	if os.IsNotExist(err) {
		return "<absent>"
	}
	if err != nil {
		r.t.Fatal(err)
	}
	return string(b)
}

// pendingWork is what SMS.INI's PendingWork lists.
func (r *rebootRig) pendingWork() []string {
	f, err := smsini.Read(r.cfg.Ini)
	if err != nil {
		r.t.Fatal(err)
	}
	var out []string
	for _, e := range f.Entries {
		out = append(out, e.Text)
	}
	return out
}

// history returns the audit records, oldest first.
func (r *rebootRig) history() []*journal.Record {
	var recs []*journal.Record
	if err := r.cfg.Journal.View(func(tx *journal.Tx) error {
		return tx.History(false, func(rec *journal.Record) (bool, error) {
			recs = append(recs, rec)
			return true, nil
		})
	}); err != nil {
		r.t.Fatal(err)
	}
	return recs
}

const kbEntries = `copy c:\temp\netapi.dll c:\windows\system\netapi.dll, del c:\temp\netapi.dll, md c:\after`

// TestRun_RebootHandoff is the KB article's pair with the DLL in use: the
// copy is handed to Session Manager and the queue stops there (the del
// of the temporary copy would lose the new file); a run before the
// reboot writes nothing more; after it the copy is confirmed, with an
// audit record saying how the file was replaced, and the rest runs.
func TestRun_RebootHandoff(t *testing.T) {
	r := newRebootRig(t, kbEntries)
	sum := r.run()
	if len(sum.RebootPending) != 1 || sum.RebootPending[0].State != journal.Reboot || sum.Remaining != 3 {
		t.Fatalf("reboot pending %+v, remaining %d", sum.RebootPending, sum.Remaining)
	}
	if r.read(rebootDLL) != "old" || r.read("temp/netapi.dll") != "new" || r.read("after") != "<absent>" {
		t.Fatal("the run changed the file in use or went past the waiting copy")
	}
	if got := r.pendingWork(); len(got) != 3 {
		t.Fatalf("PendingWork %q", got)
	}
	recs := r.history()
	if len(recs) != 1 || recs[0].Outcome != ops.RebootPending || !recs[0].StillQueued {
		t.Fatalf("history %+v", recs)
	}

	sum = r.run() // started again without a reboot
	if len(sum.RebootPending) != 1 || r.sm.Registered != 1 || len(r.history()) != 1 {
		t.Fatalf("second run: %d pending, %d registrations, %d records", len(sum.RebootPending), r.sm.Registered, len(r.history()))
	}

	r.held = false
	r.sm.Boot()
	sum = r.run()
	if len(sum.RebootPending) != 0 || sum.Remaining != 0 || sum.Failed != nil {
		t.Fatalf("after the reboot: %d pending, %d remaining, failed %v", len(sum.RebootPending), sum.Remaining, sum.Failed)
	}
	if r.read(rebootDLL) != "new" || r.read("temp/netapi.dll") != "<absent>" {
		t.Fatal("the new DLL is not in place, or the temporary copy is left")
	}
	if got := r.pendingWork(); len(got) != 0 {
		t.Fatalf("PendingWork %q", got)
	}
	es, _ := os.ReadDir(filepath.Join(r.c, "windows", "system"))
	if len(es) != 1 {
		t.Fatalf("left in the DLL's folder: %v", es)
	}
	recs = r.history()
	if len(recs) != 4 || recs[1].Outcome != ops.Done || len(recs[1].Result.Replaced) != 1 ||
		!strings.Contains(recs[1].Result.Replaced[0], exec.HowReplacedAtBoot) {
		t.Fatalf("history after the reboot: %d records, second %+v", len(recs), recs[1].Result)
	}
}

// TestRun_ContinuePastReboot: with ContinuePastReboot, entries that touch
// none of the waiting paths run; the first that does (the del of the
// copy's source) stops the queue, and so would a run entry.
func TestRun_ContinuePastReboot(t *testing.T) {
	for _, tt := range []struct {
		name, entries string
		ran, waits    string
		dllAfter      string // what the DLL holds once the queue is done
	}{
		{"a del of the source", `copy c:\temp\netapi.dll c:\windows\system\netapi.dll, md c:\other, del c:\temp\netapi.dll, md c:\after`, "other", "after", "new"},
		{"a run entry", `copy c:\temp\netapi.dll c:\windows\system\netapi.dll, md c:\other, true netapi.dll, md c:\after`, "other", "after", "new"},
		{"a wildcard over the target's folder", `copy c:\temp\netapi.dll c:\windows\system\netapi.dll, md c:\other, del c:\windows\system\*.dll, md c:\after`, "other", "after", "<absent>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRebootRig(t, tt.entries)
			r.cfg.ContinuePastReboot = true
			sum := r.run()
			if len(sum.RebootPending) != 1 || sum.Remaining != 3 {
				t.Fatalf("%d pending, %d remaining", len(sum.RebootPending), sum.Remaining)
			}
			if r.read(tt.ran) == "<absent>" || r.read(tt.waits) != "<absent>" || r.read("temp/netapi.dll") != "new" {
				t.Fatalf("%s ran %v, %s ran %v", tt.ran, r.read(tt.ran) != "<absent>", tt.waits, r.read(tt.waits) != "<absent>")
			}
			r.held = false
			r.sm.Boot()
			if sum = r.run(); sum.Remaining != 0 || sum.Failed != nil {
				t.Fatalf("after the reboot %d remaining, failed %+v", sum.Remaining, sum.Failed)
			}
			if r.read(rebootDLL) != tt.dllAfter || r.read(tt.waits) == "<absent>" {
				t.Fatal("after the reboot the queue did not finish")
			}
		})
	}
}

func TestTouchesAny(t *testing.T) {
	c := func(rel string) ops.Path { return ops.Path{Drive: "C", Rel: rel} }
	waiting := []ops.Path{c("Windows/System/netapi.dll")}
	for _, tt := range []struct {
		p    ops.Path
		want bool
	}{
		{c("windows/system/NETAPI.DLL"), true},
		{c("windows"), true},
		{c("windows/system/*.dll"), true},
		{c("windows/system/other.dll"), false},
		{c("windows/systemx/netapi.dll"), false},
		{ops.Path{Drive: "D", Rel: "windows/system/netapi.dll"}, false},
		{c(""), true},
	} {
		if got := TouchesAny([]ops.Path{tt.p}, waiting); got != tt.want {
			t.Errorf("TouchesAny(%v) = %v, want %v", tt.p, got, tt.want)
		}
	}
}

// TestRun_ContinuePastRebootAtomic: nothing of an atomic batch goes past
// its operation waiting for the reboot, even unrelated entries: a
// rollback could not take the registration back.
func TestRun_ContinuePastRebootAtomic(t *testing.T) {
	r := newRebootRig(t, `copy c:\temp\netapi.dll c:\windows\system\netapi.dll, md c:\other`)
	r.cfg.ContinuePastReboot, r.cfg.Atomic = true, true
	sum := r.run()
	if len(sum.RebootPending) != 1 || r.read("other") != "<absent>" {
		t.Fatalf("%d pending; md of the atomic batch ran: %v", len(sum.RebootPending), r.read("other") != "<absent>")
	}
	r.held = false
	r.sm.Boot()
	if sum = r.run(); sum.Remaining != 0 || r.read("other") != "<folder>" || r.read(rebootDLL) != "new" {
		t.Fatalf("after the reboot: %d remaining", sum.Remaining)
	}
}
