package exec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"smswork/internal/pendmove"
	"smswork/ops"
)

// handoffRig is an executor whose C:\windows\system\netapi.dll is held
// open, with a scripted Session Manager, and the intent as the journal
// last recorded it.
type handoffRig struct {
	t     *testing.T
	e     *Executor
	sm    *pendmove.Fake
	c, d  string
	held  bool
	saved *ops.Intent
	op    *ops.Op
}

const heldDLL = "windows/system/netapi.dll"

func newHandoffRig(t *testing.T, op *ops.Op) *handoffRig {
	e, m := exNew(t, "C", "D")
	exWrite(t, m["D"], "temp/netapi.dll", "new")
	r := &handoffRig{t: t, e: e, sm: &pendmove.Fake{}, c: m["C"], d: m["D"], held: true, op: op}
	e.Reboot = r.sm
	e.HeldOpen = func(p ops.Path) bool { return r.held && strings.EqualFold(p.Rel, heldDLL) }
	exWrite(t, r.c, "temp/netapi.dll", "new")
	exWrite(t, r.c, heldDLL, "old")
	in, err := e.Prepare(op, 9)
	if err != nil {
		t.Fatal(err)
	}
	r.saved = in
	return r
}

// run executes the operation from the intent the journal holds, the way
// recovery does, journaling each step; a failpoint panic is a crash.
func (r *handoffRig) run() (res ops.Result, crashed bool) {
	in := exJournal(r.t, r.saved)
	crashed = exCatch(func() {
		res = r.e.Execute(context.Background(), r.op, in, func(u *ops.Intent) error {
			r.saved = exJournal(r.t, u)
			return nil
		})
	})
	return res, crashed
}

func (r *handoffRig) pairs() []pendmove.Pending {
	ps, _ := r.sm.Pending()
	return ps
}

// srcDir is the folder of the drive of the operation's source.
func (r *handoffRig) srcDir() string {
	if r.op.Src.Drive == "D" {
		return r.d
	}
	return r.c
}

func (r *handoffRig) reboot() { r.held = false; r.sm.Boot() }

// folder lists the DLL's folder.
func (r *handoffRig) folder() []string {
	es, err := os.ReadDir(filepath.Join(r.c, "windows", "system"))
	if err != nil {
		r.t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

func moveOp() *ops.Op {
	return &ops.Op{Kind: ops.KindMove, Src: exC("temp/netapi.dll"), Dst: exC(heldDLL)}
}

// moveAcrossOp moves from another drive: a copy, then a delete.
func moveAcrossOp() *ops.Op {
	return &ops.Op{Kind: ops.KindMove, Src: exD("temp/netapi.dll"), Dst: exC(heldDLL)}
}

func copyOp() *ops.Op {
	return &ops.Op{Kind: ops.KindCopy, Src: exC("temp/netapi.dll"), Dst: exC(heldDLL)}
}

// TestHandoff_Copy: a copy over a file in use leaves it untouched, stages
// the new bytes beside it and registers the rename once; a run before the
// reboot registers nothing more; after the reboot the copy is confirmed
// done, replaced at boot, and nothing is left behind.
func TestHandoff_Copy(t *testing.T) {
	r := newHandoffRig(t, copyOp())
	res, _ := r.run()
	exWant(t, res, ops.RebootPending)
	if got := exRead(t, r.c, heldDLL); got != "old" {
		t.Fatalf("the file in use holds %q", got)
	}
	hf := r.saved.Handoff
	if hf == nil || len(hf.Files) != 1 || hf.Files[0].Registered != 1 || hf.Files[0].SHA256 == "" {
		t.Fatalf("intent's hand-off: %+v", hf)
	}
	if got := exRead(t, r.c, "windows/system/"+hf.Files[0].Stage); got != "new" {
		t.Fatalf("stage holds %q", got)
	}
	if len(r.pairs()) != 1 || !r.pairs()[0].Replace {
		t.Fatalf("registered: %+v", r.pairs())
	}

	res, _ = r.run() // a boot without the reboot: still waiting
	exWant(t, res, ops.RebootPending)
	if r.sm.Registered != 1 {
		t.Fatalf("registered %d times before the reboot, want once", r.sm.Registered)
	}

	r.reboot()
	res, _ = r.run()
	exWant(t, res, ops.Done)
	if got := exRead(t, r.c, heldDLL); got != "new" {
		t.Fatalf("after the reboot the file holds %q", got)
	}
	if len(res.Replaced) != 1 || !strings.Contains(res.Replaced[0], HowReplacedAtBoot) {
		t.Errorf("audit says %q", res.Replaced)
	}
	if len(res.Files) != 1 || res.Files[0].SHA256 != hf.Files[0].SHA256 {
		t.Errorf("result files %+v", res.Files)
	}
	if got := r.folder(); len(got) != 1 {
		t.Errorf("folder holds %v", got)
	}
}

// TestHandoff_Cleared: the pair cleared by hand (or a boot whose rename
// failed) while the file is still in use is registered again once, then
// the operation fails clearly, the staged file kept.
func TestHandoff_Cleared(t *testing.T) {
	r := newHandoffRig(t, copyOp())
	res, _ := r.run()
	exWant(t, res, ops.RebootPending)
	r.sm.Clear()
	res, _ = r.run()
	exWant(t, res, ops.RebootPending)
	if r.sm.Registered != 2 || len(r.pairs()) != 1 {
		t.Fatalf("registered %d times, %d listed; want 2 and 1", r.sm.Registered, len(r.pairs()))
	}
	r.sm.Clear()
	res, _ = r.run()
	exWant(t, res, ops.Failed)
	stage := r.saved.Handoff.Files[0].Stage
	if !strings.Contains(res.Err, "not replaced at boot by Session Manager") || !strings.Contains(res.Err, stage) {
		t.Errorf("error %q does not say what happened and where the bytes are", res.Err)
	}
	if r.sm.Registered != 2 {
		t.Errorf("registered %d times, want 2", r.sm.Registered)
	}
	if got := exRead(t, r.c, "windows/system/"+stage); got != "new" {
		t.Errorf("stage holds %q", got)
	}
	if got := exRead(t, r.c, heldDLL); got != "old" {
		t.Errorf("the file in use holds %q", got)
	}
}

// TestHandoff_FreedBeforeReboot: a pair gone while the file is no longer
// in use (Session Manager failed, the program ended) is finished at once.
func TestHandoff_FreedBeforeReboot(t *testing.T) {
	r := newHandoffRig(t, copyOp())
	res, _ := r.run()
	exWant(t, res, ops.RebootPending)
	r.sm.Clear()
	r.held = false
	res, _ = r.run()
	exWant(t, res, ops.Done)
	if got := exRead(t, r.c, heldDLL); got != "new" || len(r.folder()) != 1 {
		t.Fatalf("file %q, folder %v", got, r.folder())
	}
	if !strings.Contains(res.Replaced[0], HowReplacedLater) {
		t.Errorf("audit says %q", res.Replaced)
	}
}

// TestHandoff_Crash: a crash at each step of the hand-off, then (or not)
// the reboot, then the run: never two pairs, the file replaced once, no
// staged file left.
func TestHandoff_Crash(t *testing.T) {
	kinds := []struct {
		name   string
		op     func() *ops.Op
		points []string
	}{
		{"copy", copyOp, []string{"copy.before-rename", "handoff.after-stage", "handoff.before-register", "handoff.after-register", "handoff.after-record"}},
		{"move", moveOp, []string{"move.before-rename", "handoff.before-stage", "handoff.after-stage", "handoff.before-register", "handoff.after-register", "handoff.after-record"}},
		{"move across", moveAcrossOp, []string{"copy.before-rename", "handoff.after-stage", "handoff.after-register", "handoff.after-record", "move.after-copy", "move.before-delete"}},
	}
	for _, k := range kinds {
		for _, point := range k.points {
			for _, rebooted := range []bool{true, false} {
				name := k.name + "/" + point + "/rebooted"
				if !rebooted {
					name = k.name + "/" + point + "/not-rebooted"
				}
				t.Run(name, func(t *testing.T) { crashCase(t, k.op(), point, rebooted) })
			}
		}
	}
}

// crashCase crashes op at point, then (or not) reboots, then runs it.
func crashCase(t *testing.T, op *ops.Op, point string, rebooted bool) {
	{
		{
			{
				r := newHandoffRig(t, op)
				r.e.Failpoint = func(at string) {
					if at == point {
						panic(exCrash{at})
					}
				}
				if _, crashed := r.run(); !crashed {
					t.Fatalf("no crash at %s", point)
				}
				r.e.Failpoint = nil
				if len(r.pairs()) > 1 {
					t.Fatalf("%d pairs after the crash", len(r.pairs()))
				}
				if !rebooted {
					res, _ := r.run()
					exWant(t, res, ops.RebootPending)
					if len(r.pairs()) != 1 || r.sm.Registered != 1 {
						t.Fatalf("after the crash and a run: %d listed, %d registrations; want 1 and 1", len(r.pairs()), r.sm.Registered)
					}
				}
				r.reboot()
				res, _ := r.run()
				exWant(t, res, ops.Done)
				if got := exRead(t, r.c, heldDLL); got != "new" {
					t.Fatalf("file holds %q", got)
				}
				if got := r.folder(); len(got) != 1 {
					t.Fatalf("folder holds %v", got)
				}
				if op.Kind == ops.KindMove && exExists(r.srcDir(), "temp/netapi.dll") {
					t.Fatal("the move's source is left")
				}
			}
		}
	}
}

// TestHandoff_Move: a move onto a file in use stages the source beside
// it (one rename on the volume), registers the rename, and is confirmed
// after the reboot; across drives, the copy is staged and the source
// deleted before the reboot.
func TestHandoff_Move(t *testing.T) {
	for _, op := range []*ops.Op{moveOp(), moveAcrossOp()} {
		t.Run(op.Src.Drive, func(t *testing.T) {
			r := newHandoffRig(t, op)
			res, _ := r.run()
			exWant(t, res, ops.RebootPending)
			if got := exRead(t, r.c, heldDLL); got != "old" || len(r.pairs()) != 1 || len(r.folder()) != 2 {
				t.Fatalf("file %q, %d pairs, folder %v", got, len(r.pairs()), r.folder())
			}
			r.reboot()
			res, _ = r.run()
			exWant(t, res, ops.Done)
			if got := exRead(t, r.c, heldDLL); got != "new" || len(r.folder()) != 1 {
				t.Fatalf("file %q, folder %v", got, r.folder())
			}
			if exExists(r.srcDir(), "temp/netapi.dll") {
				t.Fatal("source left")
			}
		})
	}
}

// TestHandoff_Del: a del of a file in use registers its delete; after
// the reboot it is confirmed, deleted at boot.
func TestHandoff_Del(t *testing.T) {
	op := &ops.Op{Kind: ops.KindDel, Src: exC(heldDLL)}
	r := newHandoffRig(t, op)
	res, _ := r.run()
	exWant(t, res, ops.RebootPending)
	if !exExists(r.c, heldDLL) || len(r.pairs()) != 1 || !r.pairs()[0].Delete {
		t.Fatalf("file gone or delete not registered: %+v", r.pairs())
	}
	res, _ = r.run()
	exWant(t, res, ops.RebootPending)
	if r.sm.Registered != 1 {
		t.Fatalf("registered %d times", r.sm.Registered)
	}
	r.reboot()
	res, _ = r.run()
	exWant(t, res, ops.Done)
	if exExists(r.c, heldDLL) || !strings.Contains(res.Replaced[0], HowDeletedAtBoot) {
		t.Fatalf("file still there, or audit %q", res.Replaced)
	}
}

// TestHandoff_Off: without a Session Manager (--in-use=fail) a file in
// use fails the operation, marked in use, and nothing is staged.
func TestHandoff_Off(t *testing.T) {
	r := newHandoffRig(t, copyOp())
	r.e.Reboot = nil
	res, _ := r.run()
	exWant(t, res, ops.Failed)
	if !res.InUse || r.saved.Handoff != nil || len(r.folder()) != 1 {
		t.Fatalf("in use %v, hand-off %+v, folder %v", res.InUse, r.saved.Handoff, r.folder())
	}
}

// TestCheckHandoff: a journal record whose hand-off names what the
// operation does not change is refused.
func TestCheckHandoff(t *testing.T) {
	r := newHandoffRig(t, copyOp())
	r.saved.Handoff = &ops.Handoff{Files: []ops.HandoffFile{{Target: exC("windows/other.dll"), Stage: r.saved.Items[0].Temp}}}
	res, _ := r.run()
	exWant(t, res, ops.Failed)
	if !strings.Contains(res.Err, "does not fit") {
		t.Errorf("error %q", res.Err)
	}
}
