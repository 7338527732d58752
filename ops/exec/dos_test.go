package exec

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"smswork/ops"
)

// TestExecutor_DstFolder: a destination written with a trailing backslash
// names a folder: the files go into it when it exists; when it does not,
// or is a file, nothing is written, and never a file of that name.
func TestExecutor_DstFolder(t *testing.T) {
	for _, tc := range []struct {
		name string
		op   ops.Op
		err  error
		want string // a file expected afterwards
	}{
		{"copy into an existing folder", ops.Op{Kind: ops.KindCopy, Src: exC("t/x.dll"), Dst: exC("W"), DstDir: true}, nil, "w/x.dll"},
		{"copy into a missing folder", ops.Op{Kind: ops.KindCopy, Src: exC("t/x.dll"), Dst: exC("nofolder"), DstDir: true}, ErrDstNotFolder, ""},
		{"copy into a file", ops.Op{Kind: ops.KindCopy, Src: exC("t/x.dll"), Dst: exC("w/f.txt"), DstDir: true}, ErrDstNotFolder, ""},
		{"wildcard into a missing folder", ops.Op{Kind: ops.KindCopy, Src: exC("t/*.dll"), Dst: exC("nofolder"), DstDir: true}, ErrDstNotFolder, ""},
		{"move into a missing folder", ops.Op{Kind: ops.KindMove, Src: exC("t/x.dll"), Dst: exC("nofolder"), DstDir: true}, ErrDstNotFolder, ""},
		{"move into an existing folder", ops.Op{Kind: ops.KindMove, Src: exC("t/x.dll"), Dst: exC("w"), DstDir: true}, nil, "w/x.dll"},
		{"join into a folder", ops.Op{Kind: ops.KindCopy, Src: exC("t/x.dll"), Join: []ops.JoinPart{{Path: exC("t/y.dll")}}, Dst: exC("w"), DstDir: true}, nil, "w/x.dll"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, m := exNew(t)
			c := m["C"]
			exWrite(t, c, "t/x.dll", "x")
			exWrite(t, c, "t/y.dll", "y")
			exWrite(t, c, "w/f.txt", "f")
			before := exSnap(t, c)
			in, err := e.Prepare(&tc.op, 1)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("Prepare: %v, want %v", err, tc.err)
				}
				if !strings.Contains(err.Error(), `\ names a folder`) {
					t.Errorf("message %q does not say the backslash names a folder", err)
				}
				exDiff(t, "after a refused entry", exSnap(t, c), before)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			exWant(t, e.Execute(t.Context(), &tc.op, in, nil), ops.Done)
			if !exExists(c, tc.want) {
				t.Errorf("%s missing: %v", tc.want, exSnap(t, c))
			}
		})
	}
}

// TestExecutor_CopyFolder: `copy FOLDER DST` copies the files directly
// inside FOLDER, not its subfolders.
func TestExecutor_CopyFolder(t *testing.T) {
	e, m := exNew(t)
	c := m["C"]
	exWrite(t, c, "t/dirC/c1.txt", "1")
	exWrite(t, c, "t/dirC/c2.txt", "2")
	exWrite(t, c, "t/dirC/subC/s.txt", "s")
	if err := os.Mkdir(filepath.Join(c, "w"), 0o755); err != nil {
		t.Fatal(err)
	}
	exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindCopy, Src: exC("t/DIRC"), Dst: exC("w")}), ops.Done)
	if exRead(t, c, "w/c1.txt") != "1" || exRead(t, c, "w/c2.txt") != "2" || exExists(c, "w/subC") || exExists(c, "w/s.txt") {
		t.Errorf("tree %v", exSnap(t, c))
	}
}

// TestExecutor_ReadOnly: a read-only destination is not replaced by copy
// or move (cmd.exe: Access is denied), and del without /f keeps a
// read-only file but deletes the others, then fails naming it.
func TestExecutor_ReadOnly(t *testing.T) {
	setup := func(t *testing.T) (*Executor, string) {
		e, m := exNew(t)
		c := m["C"]
		exWrite(t, c, "t/x.dll", "new")
		exWrite(t, c, "t/a.txt", "a")
		if err := os.Chmod(exWrite(t, c, "t/ro.txt", "ro"), 0o444); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(exWrite(t, c, "w/ro.dll", "old"), 0o444); err != nil {
			t.Fatal(err)
		}
		return e, c
	}
	for _, kind := range []ops.Kind{ops.KindCopy, ops.KindMove} {
		t.Run(string(kind)+" over a read-only file", func(t *testing.T) {
			e, c := setup(t)
			_, err := e.Prepare(&ops.Op{Kind: kind, Src: exC("t/x.dll"), Dst: exC("w/ro.dll")}, 1)
			if !errors.Is(err, ErrReadOnly) || exRead(t, c, "w/ro.dll") != "old" || !exExists(c, "t/x.dll") {
				t.Fatalf("err %v, tree %v", err, exSnap(t, c))
			}
		})
	}
	t.Run("del keeps read-only files without /f", func(t *testing.T) {
		e, c := setup(t)
		res := exDo(t, e, &ops.Op{Kind: ops.KindDel, Src: exC("t/*.txt")})
		exWant(t, res, ops.Failed)
		if !strings.Contains(res.Err, "ro.txt") || !strings.Contains(res.Err, "/f") {
			t.Errorf("err %q", res.Err)
		}
		if exExists(c, "t/a.txt") || !exExists(c, "t/ro.txt") {
			t.Errorf("tree %v", exSnap(t, c))
		}
	})
	t.Run("del /f deletes them", func(t *testing.T) {
		e, c := setup(t)
		exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindDel, Src: exC("t/*.txt"), Force: true}), ops.Done)
		if exExists(c, "t/a.txt") || exExists(c, "t/ro.txt") {
			t.Errorf("tree %v", exSnap(t, c))
		}
	})
	t.Run("a copy of a read-only file is read-only", func(t *testing.T) {
		e, c := setup(t)
		exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindCopy, Src: exC("t/ro.txt"), Dst: exC("w/copy.txt")}), ops.Done)
		fi, err := os.Stat(filepath.Join(c, "w", "copy.txt"))
		if err != nil || fi.Mode().Perm()&0o222 != 0 {
			t.Errorf("copy's mode %v (%v), want read-only", fi.Mode(), err)
		}
	})
}

// TestExecutor_CopyOntoItself: cmd.exe refuses a copy whose destination
// is its source (in any case); so does smswork, before touching anything.
func TestExecutor_CopyOntoItself(t *testing.T) {
	e, m := exNew(t)
	c := m["C"]
	exWrite(t, c, "t/x.dll", "x")
	for _, op := range []*ops.Op{
		{Kind: ops.KindCopy, Src: exC("t/x.dll"), Dst: exC("t/x.dll")},
		{Kind: ops.KindCopy, Src: exC("t/x.dll"), Dst: exC("T/X.DLL")},
		{Kind: ops.KindCopy, Src: exC("t/*.dll"), Dst: exC("t")},
	} {
		if _, err := e.Prepare(op, 1); !errors.Is(err, ErrSameFile) {
			t.Errorf("%s: %v, want ErrSameFile", op.Canonical(), err)
		}
	}
}

// TestExecutor_CopyEOF: /a in effect for the destination appends one
// Ctrl-Z; for the source, the copy stops at its first.
func TestExecutor_CopyEOF(t *testing.T) {
	for _, tc := range []struct {
		name string
		op   ops.Op
		want string
	}{
		{"copy /a SRC DST", ops.Op{ASCII: true, DstASCII: true}, "a\x1a"},
		{"copy SRC DST /a", ops.Op{DstASCII: true}, "a\x1aA\x1a"},
		{"copy /a SRC DST /b", ops.Op{ASCII: true, DstBinary: true}, "a"},
		{"copy SRC DST /b", ops.Op{DstBinary: true}, "a\x1aA"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e, m := exNew(t)
			exWrite(t, m["C"], "t/a.cfg", "a\x1aA")
			op := tc.op
			op.Kind, op.Src, op.Dst = ops.KindCopy, exC("t/a.cfg"), exC("o.cfg")
			res := exDo(t, e, &op)
			exWant(t, res, ops.Done)
			if got := exRead(t, m["C"], "o.cfg"); got != tc.want {
				t.Errorf("o.cfg = %q, want %q", got, tc.want)
			}
			if res.Files[0].Size != int64(len(tc.want)) {
				t.Errorf("size %d", res.Files[0].Size)
			}
		})
	}
}
