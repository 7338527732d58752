package exec

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smswork/ops"
)

func TestExecutor_Copy(t *testing.T) {
	t.Run("file", func(t *testing.T) {
		e, m := exNew(t)
		c := m["C"]
		exWrite(t, c, "a.txt", "hello")
		res := exDo(t, e, &ops.Op{Kind: ops.KindCopy, Src: exC("A.TXT"), Dst: exC("b.txt")})
		exWant(t, res, ops.Done)
		if got := exRead(t, c, "b.txt"); got != "hello" {
			t.Errorf("b.txt = %q", got)
		}
		fi, _ := os.Stat(filepath.Join(c, "b.txt"))
		if !fi.ModTime().Equal(exTime) {
			t.Errorf("mtime %v, want %v", fi.ModTime(), exTime)
		}
		const sum = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
		if len(res.Files) != 1 || res.Files[0].SHA256 != sum || res.Files[0].SrcSHA256 != sum || res.Files[0].Size != 5 || res.Bytes != 5 {
			t.Errorf("files %+v bytes %d", res.Files, res.Bytes)
		}
	})
	t.Run("wildcard into folder", func(t *testing.T) {
		skipCaseInsensitive(t)
		e, m := exNew(t)
		c := m["C"]
		exWrite(t, c, "s/1.ini", "one")
		exWrite(t, c, "s/2.INI", "two")
		exWrite(t, c, "s/3.txt", "three")
		exWrite(t, c, "d/2.ini", "old")
		exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindCopy, Src: exC("s/*.ini"), Dst: exC("D")}), ops.Done)
		if exRead(t, c, "d/1.ini") != "one" || exRead(t, c, "d/2.ini") != "two" || exExists(c, "d/3.txt") || exExists(c, "d/2.INI") {
			t.Errorf("tree %v", exSnap(t, c))
		}
	})
	t.Run("no overwrite", func(t *testing.T) {
		e, m := exNew(t)
		c := m["C"]
		exWrite(t, c, "a", "new")
		exWrite(t, c, "b", "old")
		res := exDo(t, e, &ops.Op{Kind: ops.KindCopy, Src: exC("a"), Dst: exC("b"), NoOverwrite: true})
		exWant(t, res, ops.Failed)
		if !strings.Contains(res.Err, "not overwritten") || exRead(t, c, "b") != "old" {
			t.Errorf("err %q, b = %q", res.Err, exRead(t, c, "b"))
		}
	})
	t.Run("no overwrite, own result after a crash", func(t *testing.T) {
		e, m := exNew(t)
		c := m["C"]
		exWrite(t, c, "a", "new")
		op := &ops.Op{Kind: ops.KindCopy, Src: exC("a"), Dst: exC("b"), NoOverwrite: true}
		in, err := e.Prepare(op, 1)
		if err != nil {
			t.Fatal(err)
		}
		exWrite(t, c, "b", "new") // as the crashed copy left it
		exWant(t, e.Execute(context.Background(), op, in, nil), ops.AlreadyDone)
	})
	t.Run("verify", func(t *testing.T) {
		e, m := exNew(t)
		exWrite(t, m["C"], "a", strings.Repeat("v", 3<<20+5))
		res := exDo(t, e, &ops.Op{Kind: ops.KindCopy, Src: exC("a"), Dst: exC("b"), Verify: true})
		exWant(t, res, ops.Done)
		if res.Files[0].Size != 3<<20+5 {
			t.Errorf("size %d", res.Files[0].Size)
		}
	})
	t.Run("ascii stops at ctrl-z", func(t *testing.T) {
		e, m := exNew(t)
		exWrite(t, m["C"], "a", "text\x1atrailer")
		res := exDo(t, e, &ops.Op{Kind: ops.KindCopy, Src: exC("a"), Dst: exC("b"), ASCII: true})
		exWant(t, res, ops.Done)
		if got := exRead(t, m["C"], "b"); got != "text" {
			t.Errorf("b = %q", got)
		}
		if f := res.Files[0]; f.SHA256 == f.SrcSHA256 || f.Size != 4 {
			t.Errorf("file result %+v", f)
		}
	})
	t.Run("source missing", func(t *testing.T) {
		e, m := exNew(t)
		exWrite(t, m["C"], "a", "x")
		op := &ops.Op{Kind: ops.KindCopy, Src: exC("a"), Dst: exC("b")}
		in, _ := e.Prepare(op, 1)
		os.Remove(filepath.Join(m["C"], "a"))
		res := e.Execute(context.Background(), op, in, nil)
		exWant(t, res, ops.Failed)
		if !strings.Contains(res.Err, `C:\a`) {
			t.Errorf("err %q", res.Err)
		}
	})
	t.Run("source gone, destination complete", func(t *testing.T) {
		e, m := exNew(t)
		exWrite(t, m["C"], "a", "x")
		op := &ops.Op{Kind: ops.KindCopy, Src: exC("a"), Dst: exC("b")}
		in, _ := e.Prepare(op, 1)
		exWant(t, e.Execute(context.Background(), op, in, nil), ops.Done)
		os.Remove(filepath.Join(m["C"], "a"))
		exWant(t, e.Execute(context.Background(), op, exJournal(t, in), nil), ops.AlreadyDone)
	})
	t.Run("touch", func(t *testing.T) {
		e, m := exNew(t)
		p := exWrite(t, m["C"], "a", "x")
		before := time.Now().Add(-time.Second)
		exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindCopy, Src: exC("a"), Touch: true}), ops.Done)
		fi, _ := os.Stat(p)
		if fi.ModTime().Before(before) {
			t.Errorf("mtime %v", fi.ModTime())
		}
		exWant(t, e.Execute(context.Background(), &ops.Op{Kind: ops.KindCopy, Src: exC("zz"), Touch: true}, &ops.Intent{Items: []ops.Item{{Src: exC("zz")}}}, nil), ops.Failed)
	})
}

// TestExecutor_CopyMemory copies 32 MiB and checks the copy streams: what
// it allocates is a small fraction of the file.
func TestExecutor_CopyMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("32 MiB copy")
	}
	e, m := exNew(t)
	const size = 32 << 20
	f, err := os.Create(filepath.Join(m["C"], "big"))
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte("0123456789abcdef"), 1<<16)
	for written := 0; written < size; written += len(chunk) {
		if _, err := f.Write(chunk); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	op := &ops.Op{Kind: ops.KindCopy, Src: exC("big"), Dst: exC("copy"), Verify: true}
	in, err := e.Prepare(op, 1)
	if err != nil {
		t.Fatal(err)
	}
	var before, after exMem
	before.read()
	res := e.Execute(context.Background(), op, in, nil)
	after.read()
	exWant(t, res, ops.Done)
	if res.Bytes != size {
		t.Errorf("bytes %d", res.Bytes)
	}
	if d := after.total - before.total; d > 8<<20 {
		t.Errorf("allocated %d bytes copying %d", d, size)
	}
}

func TestExecutor_CopyCrash(t *testing.T) {
	points := []string{"copy.before-temp", "copy.mid-write", "copy.before-rename", "copy.after-rename"}
	big := strings.Repeat("0123456789", 300_001) // several buffers
	t.Run("wildcard", func(t *testing.T) {
		exRunCrashes(t, exCrashCase{
			setup: func(t *testing.T, d map[string]string) {
				exWrite(t, d["C"], "s/a.txt", "alpha")
				exWrite(t, d["C"], "s/big.bin", big)
				exWrite(t, d["C"], "d/a.txt", "old")
			},
			op:     &ops.Op{Kind: ops.KindCopy, Src: exC("s/*.*"), Dst: exC("d")},
			points: points,
		})
	})
	t.Run("no overwrite", func(t *testing.T) {
		exRunCrashes(t, exCrashCase{
			setup: func(t *testing.T, d map[string]string) {
				exWrite(t, d["C"], "big.bin", big)
			},
			op:     &ops.Op{Kind: ops.KindCopy, Src: exC("big.bin"), Dst: exC("copy.bin"), NoOverwrite: true, Verify: true},
			points: points,
		})
	})
}

func TestExecutor_CopyProgress(t *testing.T) {
	e, m := exNew(t)
	size := 3*copyBufSize + 17
	exWrite(t, m["C"], "big.bin", strings.Repeat("x", size))
	var calls []int64
	e.Progress = func(dst ops.Path, done, total int64) {
		if dst != exC("out.bin") || total != int64(size) {
			t.Errorf("progress %v %d/%d", dst, done, total)
		}
		calls = append(calls, done)
	}
	exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindCopy, Src: exC("big.bin"), Dst: exC("out.bin")}), ops.Done)
	want := []int64{0, copyBufSize, 2 * copyBufSize, 3 * copyBufSize, int64(size)}
	if len(calls) != len(want) {
		t.Fatalf("progress calls %v, want %v", calls, want)
	}
	for i := range want {
		if calls[i] != want[i] {
			t.Fatalf("progress calls %v, want %v", calls, want)
		}
	}
}
