package exec

import (
	"testing"

	"smswork/ops"
)

func TestExecutor_MD(t *testing.T) {
	e, m := exNew(t)
	c := m["C"]
	exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindMD, Src: exC("x/y/z")}), ops.Done)
	if !exExists(c, "x/y/z") {
		t.Fatal("not created")
	}
	exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindMD, Src: exC("X/Y/Z")}), ops.AlreadyDone)
	exWrite(t, c, "file", "f")
	exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindMD, Src: exC("file")}), ops.Failed)
}

func TestExecutor_RD(t *testing.T) {
	e, m := exNew(t)
	c := m["C"]
	exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindMD, Src: exC("empty")}), ops.Done)
	exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindRD, Src: exC("EMPTY")}), ops.Done)
	exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindRD, Src: exC("empty")}), ops.AlreadyDone)
	exWrite(t, c, "full/sub/a", "a")
	exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindRD, Src: exC("full")}), ops.Failed)
	if !exExists(c, "full/sub/a") {
		t.Fatal("rd without /s removed a non-empty folder")
	}
	exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindRD, Src: exC("full"), Recursive: true}), ops.Done)
	if exExists(c, "full") {
		t.Fatal("rd /s kept the folder")
	}
	exWrite(t, c, "file", "f")
	exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindRD, Src: exC("file")}), ops.Failed)
}

func TestExecutor_DirCrash(t *testing.T) {
	t.Run("md", func(t *testing.T) {
		exRunCrashes(t, exCrashCase{
			setup:  func(t *testing.T, d map[string]string) { exWrite(t, d["C"], "x/keep", "k") },
			op:     &ops.Op{Kind: ops.KindMD, Src: exC("X/y/z")},
			points: []string{"md.before-mkdir"},
		})
	})
	t.Run("rd", func(t *testing.T) {
		exRunCrashes(t, exCrashCase{
			setup: func(t *testing.T, d map[string]string) {
				exWrite(t, d["C"], "r/a", "a")
				exWrite(t, d["C"], "r/sub/b", "b")
				exWrite(t, d["C"], "keep", "k")
			},
			op:     &ops.Op{Kind: ops.KindRD, Src: exC("r"), Recursive: true},
			points: []string{"rd.before-remove"},
		})
	})
}
