package exec

import (
	"runtime"
	"strings"
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

// TestMDFirstMade checks that md syncs the folder that gained the first
// new entry and the folders made below it, not the ancestors that existed
// before the intent; an intent without FirstMissing syncs every parent.
func TestMDFirstMade(t *testing.T) {
	tests := []struct {
		name, rel, first string
		want             []string
	}{
		{"one new folder under the root", "a", "a", []string{""}},
		{"one new folder in an existing folder", "a/b", "a/b", []string{"a"}},
		{"deep, parent existing", "a/b/c/d", "a/b/c/d", []string{"a/b/c"}},
		{"deep, two made", "a/b/c/d", "a/b/c", []string{"a/b", "a/b/c"}},
		{"all made", "a/b/c", "a", []string{"", "a", "a/b"}},
		{"no FirstMissing: every parent", "a/b/c", "", []string{"", "a", "a/b"}},
		{"FirstMissing off the path: every parent", "a/b/c", "x/y", []string{"", "a", "a/b"}},
		{"FirstMissing a name prefix only: every parent", "ab/c", "a", []string{"", "ab"}},
		{"drive root", "", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mdSyncFolders(ops.Item{Src: ops.Path{Drive: "C", Rel: tt.rel}, FirstMissing: tt.first})
			if len(got) != len(tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %q, want %q", got, tt.want)
				}
			}
		})
	}
	t.Run("prepare records the first missing folder", func(t *testing.T) {
		e, m := exNew(t)
		exWrite(t, m["C"], "x/keep", "k")
		in, err := mdKind{}.prepare(e, &ops.Op{Kind: ops.KindMD, Src: exC("X/y/z")}, 1)
		if err != nil {
			t.Fatal(err)
		}
		// Resolution gives the existing folder's own case on a
		// case-sensitive host; on Windows the file system resolves case
		// itself and the name stays as written.
		if got := in.Items[0].FirstMissing; got != "x/y" && !(runtime.GOOS == "windows" && strings.EqualFold(got, "x/y")) {
			t.Fatalf("FirstMissing %q, want x/y", got)
		}
		exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindMD, Src: exC("x/y/z")}), ops.Done)
		in, err = mdKind{}.prepare(e, &ops.Op{Kind: ops.KindMD, Src: exC("x/y/z")}, 2)
		if err != nil {
			t.Fatal(err)
		}
		if got := in.Items[0].FirstMissing; got != "" {
			t.Fatalf("FirstMissing %q for an existing folder, want none", got)
		}
	})
}
