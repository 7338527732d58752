package exec

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"smswork/ops"
)

func runIdxOp(t *testing.T, e *Executor, op *ops.Op) ops.Result {
	t.Helper()
	in, err := e.Prepare(op, 1)
	if err != nil {
		t.Fatalf("prepare %+v: %v", op, err)
	}
	res := e.Execute(context.Background(), op, in, nil)
	if res.Outcome == ops.Failed {
		t.Fatalf("%+v: %s", op, res.Err)
	}
	return res
}

// TestDrives_FolderIndex: copying many new files into one folder lists the
// folder once, not once per file; the names smswork creates, and those a
// program creates behind its back, are still found case-insensitively.
func TestDrives_FolderIndex(t *testing.T) {
	skipCaseInsensitive(t)
	e, m := exNew(t)
	exWrite(t, m["C"], "src/f.txt", "data")
	if err := os.MkdirAll(filepath.Join(m["C"], "sys"), 0o755); err != nil {
		t.Fatal(err)
	}
	const n = 200
	for i := 0; i < n; i++ {
		runIdxOp(t, e, &ops.Op{Kind: ops.KindCopy, Src: exC("src/f.txt"), Dst: exC(fmt.Sprintf("sys/F%d.TXT", i))})
	}
	if e.Drives.Listings() > 3 {
		t.Errorf("%d copies into one folder listed it %d times", n, e.Drives.Listings())
	}
	// A name written in other case finds the file smswork created.
	runIdxOp(t, e, &ops.Op{Kind: ops.KindDel, Src: exC("SYS/f7.txt")})
	if _, err := os.Lstat(filepath.Join(m["C"], "sys", "F7.TXT")); !os.IsNotExist(err) {
		t.Fatalf("del in other case did not find F7.TXT: %v", err)
	}
	// A file created by someone else is found once the folder changed.
	exWrite(t, m["C"], "sys/Other.DLL", "x")
	p, err := e.Drives.Resolve(exC("sys/other.dll"))
	if err != nil || p.Rel != "sys/Other.DLL" {
		t.Fatalf("resolve after an outside create: %v %v", p, err)
	}
	// After a run operation every index is dropped.
	e.refreshAfter(&ops.Op{Kind: ops.KindRun}, &ops.Intent{})
	if e.Drives.Indexed() != 0 {
		t.Errorf("indexes kept after a run operation: %d", e.Drives.Indexed())
	}
}
