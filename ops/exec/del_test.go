package exec

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"smswork/ops"
)

func TestExecutor_Del(t *testing.T) {
	t.Run("wildcard", func(t *testing.T) {
		e, m := exNew(t)
		c := m["C"]
		exWrite(t, c, "d/1.TMP", "1")
		exWrite(t, c, "d/2.tmp", "2")
		exWrite(t, c, "d/keep.txt", "k")
		if err := os.Mkdir(filepath.Join(c, "d", "dir.tmp"), 0o755); err != nil {
			t.Fatal(err)
		}
		res := exDo(t, e, &ops.Op{Kind: ops.KindDel, Src: exC("D/*.tmp")})
		exWant(t, res, ops.Done)
		if exExists(c, "d/1.TMP") || exExists(c, "d/2.tmp") || !exExists(c, "d/keep.txt") || !exExists(c, "d/dir.tmp") {
			t.Errorf("tree %v", exSnap(t, c))
		}
		if len(res.Files) != 2 || res.Files[0].Size != 1 {
			t.Errorf("files %+v", res.Files)
		}
	})
	t.Run("already absent", func(t *testing.T) {
		e, m := exNew(t)
		exWrite(t, m["C"], "a", "x")
		op := &ops.Op{Kind: ops.KindDel, Src: exC("a")}
		in, err := e.Prepare(op, 1)
		if err != nil {
			t.Fatal(err)
		}
		exWant(t, e.Execute(context.Background(), op, in, nil), ops.Done)
		res := e.Execute(context.Background(), op, in, nil)
		exWant(t, res, ops.AlreadyDone)
		if !res.Files[0].Absent {
			t.Errorf("files %+v", res.Files)
		}
		exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindDel, Src: exC("never")}), ops.AlreadyDone)
		exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindDel, Src: exC("*.none")}), ops.AlreadyDone)
	})
	t.Run("folder means the files directly inside it", func(t *testing.T) {
		e, m := exNew(t)
		exWrite(t, m["C"], "f/x", "x")
		exWrite(t, m["C"], "f/y.txt", "y")
		exWrite(t, m["C"], "f/sub/z", "z")
		res := exDo(t, e, &ops.Op{Kind: ops.KindDel, Src: exC("F")})
		exWant(t, res, ops.Done)
		if exExists(m["C"], "f/x") || exExists(m["C"], "f/y.txt") || !exExists(m["C"], "f/sub/z") || !exExists(m["C"], "f") {
			t.Errorf("tree %v", exSnap(t, m["C"]))
		}
	})
	t.Run("read-only file", func(t *testing.T) {
		e, m := exNew(t)
		p := exWrite(t, m["C"], "ro", "x")
		if err := os.Chmod(p, 0o444); err != nil {
			t.Fatal(err)
		}
		exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindDel, Src: exC("ro"), Force: true}), ops.Done)
		if exExists(m["C"], "ro") {
			t.Error("read-only file kept with /f")
		}
	})
}

func TestExecutor_DelCrash(t *testing.T) {
	exRunCrashes(t, exCrashCase{
		setup: func(t *testing.T, d map[string]string) {
			exWrite(t, d["C"], "d/1.tmp", "1")
			exWrite(t, d["C"], "d/2.tmp", "2")
			exWrite(t, d["C"], "d/3.tmp", "3")
			exWrite(t, d["C"], "d/keep.txt", "k")
		},
		op:     &ops.Op{Kind: ops.KindDel, Src: exC("d/*.tmp")},
		points: []string{"del.before-remove", "del.before-sync"},
	})
}
