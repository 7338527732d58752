package ops

import (
	"testing"
)

func TestExecutor_MD(t *testing.T) {
	e, m := exNew(t)
	c := m["C"]
	exWant(t, exDo(t, e, &Op{Kind: KindMD, Src: exC("x/y/z")}), Done)
	if !exExists(c, "x/y/z") {
		t.Fatal("not created")
	}
	exWant(t, exDo(t, e, &Op{Kind: KindMD, Src: exC("X/Y/Z")}), AlreadyDone)
	exWrite(t, c, "file", "f")
	exWant(t, exDo(t, e, &Op{Kind: KindMD, Src: exC("file")}), Failed)
}

func TestExecutor_RD(t *testing.T) {
	e, m := exNew(t)
	c := m["C"]
	exWant(t, exDo(t, e, &Op{Kind: KindMD, Src: exC("empty")}), Done)
	exWant(t, exDo(t, e, &Op{Kind: KindRD, Src: exC("EMPTY")}), Done)
	exWant(t, exDo(t, e, &Op{Kind: KindRD, Src: exC("empty")}), AlreadyDone)
	exWrite(t, c, "full/sub/a", "a")
	exWant(t, exDo(t, e, &Op{Kind: KindRD, Src: exC("full")}), Failed)
	if !exExists(c, "full/sub/a") {
		t.Fatal("rd without /s removed a non-empty folder")
	}
	exWant(t, exDo(t, e, &Op{Kind: KindRD, Src: exC("full"), Recursive: true}), Done)
	if exExists(c, "full") {
		t.Fatal("rd /s kept the folder")
	}
	exWrite(t, c, "file", "f")
	exWant(t, exDo(t, e, &Op{Kind: KindRD, Src: exC("file")}), Failed)
}

func TestExecutor_DirCrash(t *testing.T) {
	t.Run("md", func(t *testing.T) {
		exRunCrashes(t, exCrashCase{
			setup:  func(t *testing.T, d map[string]string) { exWrite(t, d["C"], "x/keep", "k") },
			op:     &Op{Kind: KindMD, Src: exC("X/y/z")},
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
			op:     &Op{Kind: KindRD, Src: exC("r"), Recursive: true},
			points: []string{"rd.before-remove"},
		})
	})
}
