package exec

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"smswork/ops"
)

// joinClock is the fixed time of the joins in these tests.
func joinClock() time.Time { return time.Date(2026, 5, 6, 7, 8, 9, 500, time.UTC) }

// TestExecutor_Join: `copy A+B DST` and a wildcard copied into a file
// concatenate as cmd.exe does: text by default (each source up to its
// first Ctrl-Z, one Ctrl-Z at the end), /a and /b per file, the result
// stamped with the time of the join.
func TestExecutor_Join(t *testing.T) {
	a, b := "a\x1aA", "bb\x1aB"
	p := func(rel string) ops.JoinPart { return ops.JoinPart{Path: exC(rel)} }
	tests := []struct {
		name string
		op   ops.Op
		want string // of dst.cfg
	}{
		{"text by default", ops.Op{Src: exC("t/a.cfg"), Join: []ops.JoinPart{p("t/b.cfg")}}, "abb\x1a"},
		{"binary", ops.Op{Src: exC("t/a.cfg"), Binary: true, Join: []ops.JoinPart{{Path: exC("t/b.cfg"), Binary: true}}, DstBinary: true}, a + b},
		{"text then binary", ops.Op{Src: exC("t/a.cfg"), ASCII: true, Join: []ops.JoinPart{{Path: exC("t/b.cfg"), Binary: true}}, DstBinary: true}, "abb\x1aB"},
		{"binary, text destination", ops.Op{Src: exC("t/a.cfg"), Binary: true, Join: []ops.JoinPart{{Path: exC("t/b.cfg"), Binary: true}}, DstASCII: true}, a + b + "\x1a"},
		{"text sources, binary destination", ops.Op{Src: exC("t/a.cfg"), Join: []ops.JoinPart{p("t/b.cfg")}, DstBinary: true}, "abb"},
		{"wildcard into a file", ops.Op{Src: exC("t/*.cfg")}, "abb\x1a"},
		{"folder into a file", ops.Op{Src: exC("t")}, "abb\x1a"},
		{"wildcard and a file", ops.Op{Src: exC("t/*.cfg"), Join: []ops.JoinPart{p("u/x.cfg")}}, "abbo\x1a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, m := exNew(t)
			e.Clock = joinClock
			c := m["C"]
			exWrite(t, c, "t/a.cfg", a)
			exWrite(t, c, "t/b.cfg", b)
			exWrite(t, c, "u/x.cfg", "o\x1aO")
			op := tt.op
			op.Kind, op.Dst = ops.KindCopy, exC("dst.cfg")
			res := exDo(t, e, &op)
			exWant(t, res, ops.Done)
			if got := exRead(t, c, "dst.cfg"); got != tt.want {
				t.Errorf("dst.cfg = %q, want %q", got, tt.want)
			}
			fi, err := os.Stat(c + "/dst.cfg")
			if err != nil || !fi.ModTime().Equal(joinClock().Truncate(2*time.Second)) {
				t.Errorf("time %v (%v), want the join's", fi.ModTime(), err)
			}
			if len(res.Files) != 1 || res.Files[0].Size != int64(len(tt.want)) || res.Files[0].SHA256 == "" {
				t.Errorf("files %+v", res.Files)
			}
		})
	}
}

// TestExecutor_JoinAppend: `copy /b a+b a` appends b to a; repeated from
// the same intent after the rename it is done, never appended twice.
func TestExecutor_JoinAppend(t *testing.T) {
	e, m := exNew(t)
	e.Clock = joinClock
	c := m["C"]
	exWrite(t, c, "t/a.log", "one\n")
	exWrite(t, c, "t/b.log", "two\n")
	op := &ops.Op{Kind: ops.KindCopy, Src: exC("t/a.log"), Binary: true, Join: []ops.JoinPart{{Path: exC("t/b.log"), Binary: true}}, Dst: exC("t/a.log"), DstBinary: true}
	in, err := e.Prepare(op, 5)
	if err != nil {
		t.Fatal(err)
	}
	exWant(t, e.Execute(context.Background(), op, in, nil), ops.Done)
	exWant(t, e.Execute(context.Background(), op, in, nil), ops.AlreadyDone)
	if got := exRead(t, c, "t/a.log"); got != "one\ntwo\n" {
		t.Fatalf("a.log = %q", got)
	}
}

// TestExecutor_JoinRefused: what cmd.exe would lose or cannot find.
func TestExecutor_JoinRefused(t *testing.T) {
	e, m := exNew(t)
	e.Clock = joinClock
	c := m["C"]
	exWrite(t, c, "t/a.cfg", "a")
	exWrite(t, c, "t/b.cfg", "b")
	before := exSnap(t, c)
	for _, tc := range []struct {
		name string
		op   ops.Op
		err  error
	}{
		{"destination is a later source", ops.Op{Src: exC("t/a.cfg"), Join: []ops.JoinPart{{Path: exC("t/b.cfg")}}, Dst: exC("t/b.cfg")}, ErrSameFile},
		{"destination matched by the wildcard", ops.Op{Src: exC("t/*.cfg"), Dst: exC("t/b.cfg")}, ErrSameFile},
		{"missing source", ops.Op{Src: exC("t/a.cfg"), Join: []ops.JoinPart{{Path: exC("t/none.cfg")}}, Dst: exC("t/c.cfg")}, ErrNoMatch},
		{"missing first source", ops.Op{Src: exC("t/none.cfg"), Join: []ops.JoinPart{{Path: exC("t/a.cfg")}}, Dst: exC("t/c.cfg")}, ErrNoMatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op := tc.op
			op.Kind = ops.KindCopy
			if _, err := e.Prepare(&op, 1); !errors.Is(err, tc.err) {
				t.Fatalf("Prepare: %v, want %v", err, tc.err)
			}
			exDiff(t, "after a refused join", exSnap(t, c), before)
		})
	}
	t.Run("a source changed after the intent", func(t *testing.T) {
		op := &ops.Op{Kind: ops.KindCopy, Src: exC("t/a.cfg"), Join: []ops.JoinPart{{Path: exC("t/b.cfg")}}, Dst: exC("t/c.cfg")}
		in, err := e.Prepare(op, 1)
		if err != nil {
			t.Fatal(err)
		}
		exWrite(t, c, "t/b.cfg", "bigger")
		res := e.Execute(context.Background(), op, in, nil)
		exWant(t, res, ops.Failed)
		if exExists(c, "t/c.cfg") {
			t.Error("joined anyway")
		}
	})
}

func TestExecutor_JoinCrash(t *testing.T) {
	for _, tc := range []struct {
		name string
		op   *ops.Op
	}{
		{"into a new file", &ops.Op{Kind: ops.KindCopy, Src: exC("t/*.cfg"), Dst: exC("all.cfg")}},
		{"appended to the first", &ops.Op{Kind: ops.KindCopy, Src: exC("t/a.cfg"), Binary: true,
			Join: []ops.JoinPart{{Path: exC("t/b.cfg"), Binary: true}}, Dst: exC("t/a.cfg"), DstBinary: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			exRunCrashes(t, exCrashCase{
				setup: func(t *testing.T, d map[string]string) {
					exWrite(t, d["C"], "t/a.cfg", "a\x1aA")
					exWrite(t, d["C"], "t/b.cfg", "bb\x1aB")
				},
				op:     tc.op,
				clock:  joinClock,
				points: []string{"copy.mid-write", "copy.before-rename", "copy.after-rename"},
			})
		})
	}
}
