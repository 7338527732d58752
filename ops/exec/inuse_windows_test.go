package exec

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"smswork/internal/fsroot"
	"smswork/internal/pendmove"
	"smswork/ops"

	"golang.org/x/sys/windows"
)

// holdOpen opens host file p the way a running program holds a DLL: with
// no sharing at all, until the test ends.
func holdOpen(t *testing.T, p string) {
	t.Helper()
	u, err := windows.UTF16PtrFromString(p)
	if err != nil {
		t.Fatal(err)
	}
	h, err := windows.CreateFile(u, windows.GENERIC_READ, 0, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatalf("hold %s open: %v", p, err)
	}
	t.Cleanup(func() { _ = windows.CloseHandle(h) })
}

// holdShared opens host file p as a loaded DLL is held: read access,
// others may read it too, until the test ends.
func holdShared(t *testing.T, p string) {
	t.Helper()
	u, err := windows.UTF16PtrFromString(p)
	if err != nil {
		t.Fatal(err)
	}
	h, err := windows.CreateFile(u, windows.GENERIC_READ, windows.FILE_SHARE_READ, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatalf("hold %s open: %v", p, err)
	}
	t.Cleanup(func() { _ = windows.CloseHandle(h) })
}

// exDoHeld prepares op, then holds host file p open, then executes op:
// the file is taken by another program between boot and execution. It
// also checks that Prepare, with the file held, either succeeds (Windows
// reads attributes through a share mode of 0) or fails as in use (Wine).
func exDoHeld(t *testing.T, e *Executor, op *ops.Op, p string) ops.Result {
	t.Helper()
	in := mustPrepare(t, e, op)
	holdOpen(t, p)
	if _, err := e.Prepare(op, 7); err != nil && !fsroot.IsInUse(err) {
		t.Errorf("Prepare with the file held: %v, not reported in use", err)
	}
	return e.Execute(context.Background(), op, exJournal(t, in), func(*ops.Intent) error { return nil })
}

// TestExecutor_InUse: an operation on a file another process holds open
// fails with InUse set, so that it stays queued for the next boot, and
// leaves the file as it was.
func TestExecutor_InUse(t *testing.T) {
	t.Run("del", func(t *testing.T) {
		e, m := exNew(t)
		p := exWrite(t, m["C"], "windows/system/netapi.dll", "old")
		res := exDoHeld(t, e, &ops.Op{Kind: ops.KindDel, Src: exC("windows/system/netapi.dll")}, p)
		exWant(t, res, ops.Failed)
		if !res.InUse {
			t.Errorf("InUse not set: %s", res.Err)
		}
		if !exExists(m["C"], "windows/system/netapi.dll") {
			t.Error("the file in use is gone")
		}
	})
	t.Run("copy from a file in use", func(t *testing.T) {
		e, m := exNew(t)
		p := exWrite(t, m["C"], "temp/netapi.dll", "new")
		exWrite(t, m["C"], "windows/system/netapi.dll", "old")
		res := exDoHeld(t, e, &ops.Op{Kind: ops.KindCopy, Src: exC("temp/netapi.dll"), Dst: exC("windows/system/netapi.dll")}, p)
		exWant(t, res, ops.Failed)
		if !res.InUse {
			t.Errorf("InUse not set: %s", res.Err)
		}
		if got := exRead(t, m["C"], "windows/system/netapi.dll"); got != "old" {
			t.Errorf("destination holds %q", got)
		}
	})
	t.Run("copy over a file in use", func(t *testing.T) {
		e, m := exNew(t)
		exWrite(t, m["C"], "temp/netapi.dll", "new")
		p := exWrite(t, m["C"], "windows/system/netapi.dll", "old")
		res := exDoHeld(t, e, &ops.Op{Kind: ops.KindCopy, Src: exC("temp/netapi.dll"), Dst: exC("windows/system/netapi.dll")}, p)
		exWant(t, res, ops.Failed)
		if !res.InUse {
			t.Errorf("InUse not set: %s", res.Err)
		}
		if es, _ := os.ReadDir(filepath.Join(m["C"], "windows", "system")); len(es) != 1 {
			t.Errorf("temporary file left: %v", es)
		}
	})
}

// TestExecutor_CaseInsensitiveWindows: DOS names in any case reach the one
// file NTFS holds, and a copy replaces it rather than adding another.
func TestExecutor_CaseInsensitiveWindows(t *testing.T) {
	e, m := exNew(t)
	exWrite(t, m["C"], "Temp/NetApi.dll", "new")
	exWrite(t, m["C"], "Windows/System/netapi.dll", "old")
	exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindCopy, Src: exC("TEMP/NETAPI.DLL"), Dst: exC("windows/SYSTEM/NetApi.Dll")}), ops.Done)
	if got := exRead(t, m["C"], "Windows/System/netapi.dll"); got != "new" {
		t.Errorf("destination holds %q", got)
	}
	if es, _ := os.ReadDir(filepath.Join(m["C"], "Windows", "System")); len(es) != 1 {
		t.Errorf("folder holds %v, want one file", es)
	}
	res := e.Execute(context.Background(), &ops.Op{Kind: ops.KindDel, Src: exC("temp/netapi.DLL")}, mustPrepare(t, e, &ops.Op{Kind: ops.KindDel, Src: exC("temp/netapi.DLL")}), nil)
	exWant(t, res, ops.Done)
	if exExists(m["C"], "Temp/NetApi.dll") {
		t.Error("del through another case left the file")
	}
}

func mustPrepare(t *testing.T, e *Executor, op *ops.Op) *ops.Intent {
	t.Helper()
	in, err := e.Prepare(op, 9)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// TestExecutor_InUseHandoff: with a Session Manager, a copy over a file
// another process holds open, and a del of one, are handed to it: the
// file is untouched, the new bytes staged beside it, the pair registered
// once (a scripted Session Manager here; the real one is tested end to
// end by cmd/smswork's Wine test).
func TestExecutor_InUseHandoff(t *testing.T) {
	t.Run("copy", func(t *testing.T) {
		e, m := exNew(t)
		sm := &pendmove.Fake{}
		e.Reboot = sm
		exWrite(t, m["C"], "temp/netapi.dll", "new")
		p := exWrite(t, m["C"], "windows/system/netapi.dll", "old")
		op := &ops.Op{Kind: ops.KindCopy, Src: exC("temp/netapi.dll"), Dst: exC("windows/system/netapi.dll")}
		in := mustPrepare(t, e, op)
		holdShared(t, p) // as a loaded DLL is held: others may read it
		res := e.Execute(context.Background(), op, exJournal(t, in), func(*ops.Intent) error { return nil })
		exWant(t, res, ops.RebootPending)
		if got := exRead(t, m["C"], "windows/system/netapi.dll"); got != "old" {
			t.Errorf("the file in use holds %q", got)
		}
		ps, _ := sm.Pending()
		if len(ps) != 1 || !strings.EqualFold(ps[0].Target, p) {
			t.Fatalf("registered %+v, want the rename over %s", ps, p)
		}
		if got, err := os.ReadFile(ps[0].Source); err != nil || string(got) != "new" {
			t.Errorf("stage %s: %q %v", ps[0].Source, got, err)
		}
	})
	t.Run("del", func(t *testing.T) {
		e, m := exNew(t)
		sm := &pendmove.Fake{}
		e.Reboot = sm
		p := exWrite(t, m["C"], "windows/system/netapi.dll", "old")
		op := &ops.Op{Kind: ops.KindDel, Src: exC("windows/system/netapi.dll")}
		in := mustPrepare(t, e, op)
		holdShared(t, p)
		res := e.Execute(context.Background(), op, exJournal(t, in), func(*ops.Intent) error { return nil })
		exWant(t, res, ops.RebootPending)
		ps, _ := sm.Pending()
		if len(ps) != 1 || !ps[0].Delete || !exExists(m["C"], "windows/system/netapi.dll") {
			t.Fatalf("registered %+v; the file must stay until the boot", ps)
		}
	})
}
