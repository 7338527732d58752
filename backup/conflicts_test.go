package backup

import (
	"os"
	"strings"
	"testing"

	"smswork/ops"
)

func TestStore_Conflicts(t *testing.T) {
	conflicts := func(t *testing.T, e *env, op *ops.Op, in *ops.Intent, res ops.Result) []string {
		t.Helper()
		cs, err := e.store.Conflicts(op, in, &res)
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	mustOne := func(t *testing.T, cs []string, path string) {
		t.Helper()
		if len(cs) != 1 || !strings.HasPrefix(cs[0], path+": ") {
			t.Errorf("conflicts %q, want one for %s", cs, path)
		}
	}
	t.Run("copy destination changed later", func(t *testing.T) {
		e := newEnv(t, false)
		e.file("C:/a.txt", "new", 0o644)
		e.file("C:/b.txt", "old", 0o644)
		op, in, res := e.run(`copy C:\a.txt C:\b.txt`)
		if cs := conflicts(t, e, op, in, res); len(cs) != 0 {
			t.Errorf("conflicts before any change: %q", cs)
		}
		e.file("C:/b.txt", "xyz", 0o644) // same size, other bytes
		mustOne(t, conflicts(t, e, op, in, res), `C:\b.txt`)
	})
	t.Run("deleted file made again", func(t *testing.T) {
		e := newEnv(t, false)
		e.file("C:/a.txt", "a", 0o644)
		op, in, res := e.run(`del C:\a.txt`)
		if cs := conflicts(t, e, op, in, res); len(cs) != 0 {
			t.Errorf("conflicts before any change: %q", cs)
		}
		e.file("C:/a.txt", "again", 0o644)
		mustOne(t, conflicts(t, e, op, in, res), `C:\a.txt`)
	})
	t.Run("moved file changed later", func(t *testing.T) {
		e := newEnv(t, false)
		e.file("C:/a.txt", "a", 0o644)
		op, in, res := e.run(`move C:\a.txt C:\b.txt`)
		if cs := conflicts(t, e, op, in, res); len(cs) != 0 {
			t.Errorf("conflicts before any change: %q", cs)
		}
		e.file("C:/b.txt", "changed", 0o644)
		mustOne(t, conflicts(t, e, op, in, res), `C:\b.txt`)
	})
	t.Run("touched file changed later", func(t *testing.T) {
		e := newEnv(t, false)
		e.file("C:/a.txt", "a", 0o644)
		op, in, res := e.run(`copy C:\a.txt+,,`)
		if cs := conflicts(t, e, op, in, res); len(cs) != 0 {
			t.Errorf("conflicts before any change: %q", cs)
		}
		e.file("C:/a.txt", "longer", 0o644)
		mustOne(t, conflicts(t, e, op, in, res), `C:\a.txt`)
	})
	t.Run("removed tree made again", func(t *testing.T) {
		e := newEnv(t, false)
		e.file("C:/t/a.txt", "a", 0o644)
		op, in, res := e.run(`rd /s C:\t`)
		e.dir("C:/t", 0o755)
		mustOne(t, conflicts(t, e, op, in, res), `C:\t`)
	})
	t.Run("skipped operation", func(t *testing.T) {
		e := newEnv(t, false)
		e.file("C:/a.txt", "a", 0o644)
		op, in := e.prepare(`copy C:\a.txt C:\b.txt`, 1)
		res := ops.Result{Outcome: ops.Skipped}
		if cs := conflicts(t, e, op, in, res); len(cs) != 0 {
			t.Errorf("conflicts of an untouched tree: %q", cs)
		}
		e.file("C:/b.txt", "b", 0o644)
		mustOne(t, conflicts(t, e, op, in, res), `C:\b.txt`)
	})
	t.Run("failed operation: either state", func(t *testing.T) {
		e := newEnv(t, false)
		e.file("C:/a.txt", "a", 0o644)
		e.file("C:/b.txt", "b", 0o644)
		op, in := e.prepare(`del C:\*.txt`, 1)
		if err := os.Remove(e.host("C:/a.txt")); err != nil {
			t.Fatal(err)
		}
		res := ops.Result{Outcome: ops.Failed, Err: "b.txt: in use"}
		if cs := conflicts(t, e, op, in, res); len(cs) != 0 {
			t.Errorf("conflicts of a half-done delete: %q", cs)
		}
		e.file("C:/b.txt", "other", 0o644)
		mustOne(t, conflicts(t, e, op, in, res), `C:\b.txt`)
	})
}
