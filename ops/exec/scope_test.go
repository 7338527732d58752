package exec

import (
	"context"
	"testing"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// TestExecutor_ScopeFollowsNames: inside one scope of the drives (as the
// drain keeps from an operation's preparation to the end of its
// execution), an operation that renames or removes a folder leaves the
// scope true to the names. A handle the scope held on the folder before
// would otherwise follow the folder to its new name, or stay on a folder
// that is gone: a look at the old name would find the files, a copy into
// a folder made again would fail.
func TestExecutor_ScopeFollowsNames(t *testing.T) {
	for _, tt := range []struct {
		name string
		op   *ops.Op
		// gone is a file the operation takes away from its old name.
		gone string
		// after copies x.txt to a path the operation made anew (or "").
		after string
	}{
		{"move a folder", &ops.Op{Kind: ops.KindMove, Src: exC(`a/sub`), Dst: exC(`b`)}, "a/sub/f.txt", ""},
		{"ren a folder", &ops.Op{Kind: ops.KindRen, Src: exC(`a/sub`), NewName: "moved"}, "a/sub/f.txt", ""},
		{"rd /s, then md", &ops.Op{Kind: ops.KindRD, Src: exC(`a/sub`), Recursive: true}, "a/sub/f.txt", "a/sub/y.txt"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e, m := exNew(t)
			c := m["C"]
			exWrite(t, c, "a/sub/f.txt", "f")
			exWrite(t, c, "x.txt", "x")
			defer e.BeginScope()()
			// The scope holds a handle on a/sub from here.
			if _, err := e.Drives.Lstat(exC(tt.gone)); err != nil {
				t.Fatal(err)
			}
			exWant(t, exDo(t, e, tt.op), ops.Done)
			if _, err := e.Drives.Lstat(exC(tt.gone)); !fsroot.IsNotExist(err) {
				t.Errorf("after %s, in the same scope: Lstat(%s) = %v, want it missing", tt.name, tt.gone, err)
			}
			if fi, err := e.Drives.Stat(exC(tt.gone)); !fsroot.IsNotExist(err) {
				t.Errorf("after %s, in the same scope: Stat(%s) = %v, %v, want it missing", tt.name, tt.gone, fi, err)
			}
			if tt.after == "" {
				return
			}
			exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindMD, Src: exC(`a/sub`)}), ops.Done)
			exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindCopy, Src: exC("x.txt"), Dst: exC(tt.after)}), ops.Done)
			if got := exRead(t, c, tt.after); got != "x" {
				t.Errorf("%s = %q, want x", tt.after, got)
			}
		})
	}
}

// TestExecutor_ScopeCopyAfterMove: a copy into a folder's old name after
// the folder was moved, in the same scope, does not write into the folder
// at its new name.
func TestExecutor_ScopeCopyAfterMove(t *testing.T) {
	e, m := exNew(t)
	c := m["C"]
	exWrite(t, c, "a/sub/f.txt", "f")
	exWrite(t, c, "x.txt", "x")
	defer e.BeginScope()()
	if _, err := e.Drives.Lstat(exC("a/sub/f.txt")); err != nil {
		t.Fatal(err)
	}
	exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindMove, Src: exC("a/sub"), Dst: exC("b")}), ops.Done)
	op := &ops.Op{Kind: ops.KindCopy, Src: exC("x.txt"), Dst: exC("a/sub/y.txt")}
	if in, err := e.Prepare(op, 9); err == nil {
		res := e.Execute(context.Background(), op, exJournal(t, in), func(*ops.Intent) error { return nil })
		if res.Outcome != ops.Failed {
			t.Errorf("copy into the moved folder's old name: %s, want failed", res.Outcome)
		}
	}
	if exExists(c, "b/y.txt") {
		t.Errorf("the copy went into the folder at its new name: %v", exSnap(t, c))
	}
}
