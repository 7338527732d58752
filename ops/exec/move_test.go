package exec

import (
	"context"
	"errors"
	"strings"
	"testing"

	"smswork/ops"
)

func TestExecutor_Move(t *testing.T) {
	t.Run("rename", func(t *testing.T) {
		e, m := exNew(t)
		c := m["C"]
		exWrite(t, c, "a.txt", "a")
		exWrite(t, c, "b.txt", "old")
		op := &ops.Op{Kind: ops.KindMove, Src: exC("A.TXT"), Dst: exC("B.TXT")}
		in, err := e.Prepare(op, 1)
		if err != nil {
			t.Fatal(err)
		}
		if in.CrossDevice || !in.Items[0].DstExisted || in.Items[0].Temp != "" {
			t.Errorf("intent %+v", in)
		}
		exWant(t, e.Execute(context.Background(), op, exJournal(t, in), nil), ops.Done)
		if exExists(c, "a.txt") || exRead(t, c, "b.txt") != "a" {
			t.Errorf("tree %v", exSnap(t, c))
		}
		// Repeated: the source is gone and the destination present.
		exWant(t, e.Execute(context.Background(), op, exJournal(t, in), nil), ops.AlreadyDone)
	})
	t.Run("both missing", func(t *testing.T) {
		e, m := exNew(t)
		exWrite(t, m["C"], "a", "a")
		op := &ops.Op{Kind: ops.KindMove, Src: exC("a"), Dst: exC("b")}
		in, _ := e.Prepare(op, 1)
		exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindDel, Src: exC("a")}), ops.Done)
		res := e.Execute(context.Background(), op, in, nil)
		exWant(t, res, ops.Failed)
		if !strings.Contains(res.Err, "not found") {
			t.Errorf("err %q", res.Err)
		}
	})
	t.Run("across drives", func(t *testing.T) {
		skipCaseInsensitive(t)
		e, m := exNew(t, "C", "D")
		exWrite(t, m["C"], "s/a", "alpha")
		exWrite(t, m["C"], "s/b", "beta")
		exWrite(t, m["D"], "out/keep", "k")
		op := &ops.Op{Kind: ops.KindMove, Src: exC("s/*"), Dst: exD("OUT")}
		in, err := e.Prepare(op, 3)
		if err != nil {
			t.Fatal(err)
		}
		if !in.CrossDevice || in.Items[1].Dst != exD("out/b") || in.Items[1].Temp != TempName(3, 1) {
			t.Fatalf("intent %+v", in)
		}
		var stepped []bool
		res := e.Execute(context.Background(), op, in, func(in *ops.Intent) error {
			stepped = append(stepped, in.Copied)
			if !exExists(m["C"], "s/a") || exRead(t, m["D"], "out/a") != "alpha" {
				t.Error("step called before the copy is complete, or after the delete")
			}
			return nil
		})
		exWant(t, res, ops.Done)
		if len(stepped) != 1 || !stepped[0] || exExists(m["C"], "s/a") || exExists(m["C"], "s/b") || exRead(t, m["D"], "out/b") != "beta" {
			t.Errorf("stepped %v, C %v, D %v", stepped, exSnap(t, m["C"]), exSnap(t, m["D"]))
		}
		// Journaled as copied: only the (done) delete remains.
		exWant(t, e.Execute(context.Background(), op, in, nil), ops.AlreadyDone)
	})
	t.Run("step fails", func(t *testing.T) {
		e, m := exNew(t, "C", "D")
		exWrite(t, m["C"], "a", "alpha")
		op := &ops.Op{Kind: ops.KindMove, Src: exC("a"), Dst: exD("a")}
		in, _ := e.Prepare(op, 3)
		res := e.Execute(context.Background(), op, in, func(*ops.Intent) error { return errors.New("journal full") })
		exWant(t, res, ops.Failed)
		if in.Copied || !exExists(m["C"], "a") || !strings.Contains(res.Err, "journal full") {
			t.Errorf("copied %v, err %q", in.Copied, res.Err)
		}
	})
}

func TestExecutor_MoveCrash(t *testing.T) {
	big := strings.Repeat("move", 700_001)
	t.Run("rename", func(t *testing.T) {
		exRunCrashes(t, exCrashCase{
			setup: func(t *testing.T, d map[string]string) {
				exWrite(t, d["C"], "m/a.txt", "a")
				exWrite(t, d["C"], "m/b.txt", "b")
				exWrite(t, d["C"], "out/b.txt", "old")
			},
			op:     &ops.Op{Kind: ops.KindMove, Src: exC("m/*.txt"), Dst: exC("out")},
			points: []string{"move.before-rename", "move.after-rename"},
		})
	})
	t.Run("across drives", func(t *testing.T) {
		exRunCrashes(t, exCrashCase{
			letters: []string{"C", "D"},
			setup: func(t *testing.T, d map[string]string) {
				exWrite(t, d["C"], "m/a.txt", "a")
				exWrite(t, d["C"], "m/big.bin", big)
				exWrite(t, d["D"], "out/a.txt", "old")
			},
			op: &ops.Op{Kind: ops.KindMove, Src: exC("m/*.*"), Dst: exD("out")},
			points: []string{"copy.before-temp", "copy.mid-write", "copy.before-rename", "copy.after-rename",
				"move.after-copy", "move.before-delete"},
		})
	})
}
