package exec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"smswork/ops"
)

// TestExecutor_Ren: ren renames in the source's folder, with cmd.exe's
// wildcard rules, folders too, case-only renames, and never over an
// existing name (refused before anything is renamed).
func TestExecutor_Ren(t *testing.T) {
	type file struct{ rel, data string }
	tests := []struct {
		name    string
		files   []file
		dirs    []string
		src     string
		newName string
		err     error
		gone    []string
		want    map[string]string // rel -> data ("" for a folder)
		// notOnWindows: Windows cannot create the starting tree.
		notOnWindows bool
	}{
		{name: "one file", files: []file{{"temp/a.txt", "A"}}, src: "temp/a.txt", newName: "b.txt",
			gone: []string{"temp/a.txt"}, want: map[string]string{"temp/b.txt": "A"}},
		{name: "other case on disk", files: []file{{"TEMP/A.TXT", "A"}}, src: "temp/a.txt", newName: "b.txt",
			gone: []string{"TEMP/A.TXT"}, want: map[string]string{"TEMP/b.txt": "A"}},
		{name: "wildcard extension", files: []file{{"t/a.log", "1"}, {"t/b.LOG", "2"}, {"t/c.txt", "3"}}, dirs: []string{"t/d.log"},
			src: "t/*.log", newName: "*.bak",
			gone: []string{"t/a.log", "t/b.LOG"}, want: map[string]string{"t/a.bak": "1", "t/b.bak": "2", "t/c.txt": "3", "t/d.log": ""}},
		{name: "wildcard prefix", files: []file{{"t/a1.txt", "1"}, {"t/a22.txt", "2"}, {"t/x.txt", "x"}}, src: "t/a*.txt", newName: "b*.txt",
			gone: []string{"t/a1.txt", "t/a22.txt"}, want: map[string]string{"t/b1.txt": "1", "t/b22.txt": "2", "t/x.txt": "x"}},
		{name: "question marks", files: []file{{"t/abcdef.txt", "1"}}, src: "t/*.txt", newName: "???.log",
			want: map[string]string{"t/abc.log": "1"}},
		{name: "drop extension", files: []file{{"t/a.txt", "1"}}, src: "t/*.txt", newName: "*.",
			want: map[string]string{"t/a": "1"}},
		{name: "trailing dot trimmed", files: []file{{"t/a.txt", "1"}}, src: "t/a.txt", newName: "b.",
			want: map[string]string{"t/b": "1"}},
		{name: "folder", files: []file{{"temp/dirA/x", "x"}}, src: "temp/dirA", newName: "dirB",
			gone: []string{"temp/dirA"}, want: map[string]string{"temp/dirB": "", "temp/dirB/x": "x"}},
		{name: "name taken", files: []file{{"t/a.txt", "a"}, {"t/b.txt", "b"}}, src: "t/a.txt", newName: "b.txt", err: ErrExists,
			want: map[string]string{"t/a.txt": "a", "t/b.txt": "b"}},
		{name: "name taken in another case", files: []file{{"t/a.txt", "a"}, {"t/B.TXT", "b"}}, src: "t/a.txt", newName: "b.txt", err: ErrExists,
			want: map[string]string{"t/a.txt": "a", "t/B.TXT": "b"}},
		{name: "name taken by a folder", files: []file{{"t/a.txt", "a"}}, dirs: []string{"t/b.txt"}, src: "t/a.txt", newName: "b.txt", err: ErrExists},
		{name: "two files one name", files: []file{{"t/a.txt", "a"}, {"t/b.txt", "b"}}, src: "t/*.txt", newName: "x.txt", err: ErrExists,
			want: map[string]string{"t/a.txt": "a", "t/b.txt": "b"}},
		{name: "a later source in the way", files: []file{{"t/a.1", "a"}, {"t/a.2", "b"}}, src: "t/a.*", newName: "*.2", err: ErrExists,
			want: map[string]string{"t/a.1": "a", "t/a.2": "b"}},
		{name: "only folders match", dirs: []string{"t/dirA"}, src: "t/dir*", newName: "x*", err: ErrUnsupported},
		{name: "folder with a wildcard name", dirs: []string{"t/dirA"}, src: "t/dirA", newName: "*.x", err: ErrUnsupported},
		{name: "no match", files: []file{{"t/a.txt", "a"}}, src: "t/*.log", newName: "*.bak", err: ErrNoMatch},
		{name: "new name a device", files: []file{{"t/aux1.txt", "a"}}, src: "t/*.txt", newName: "???.x", err: ops.ErrReservedName},
		// Windows itself cannot hold a file nul.txt.x: the case is an image
		// served from Linux, where such a name can exist.
		{name: "new name a device", files: []file{{"t/nul.txt.x", "a"}}, src: "t/*.x", newName: "*.", err: ops.ErrReservedName, notOnWindows: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.notOnWindows && runtime.GOOS == "windows" {
				t.Skip("Windows cannot create the file this case starts from")
			}
			e, m := exNew(t)
			c := m["C"]
			for _, f := range tt.files {
				exWrite(t, c, f.rel, f.data)
			}
			for _, d := range tt.dirs {
				if err := os.MkdirAll(filepath.Join(c, filepath.FromSlash(d)), 0o755); err != nil {
					t.Fatal(err)
				}
			}
			before := exSnap(t, c)
			op := &ops.Op{Kind: ops.KindRen, Src: exC(tt.src), NewName: tt.newName}
			in, err := e.Prepare(op, 3)
			if tt.err != nil {
				if !errors.Is(err, tt.err) {
					t.Fatalf("Prepare: %v, want %v", err, tt.err)
				}
				exDiff(t, "after a refused ren", exSnap(t, c), before)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			exWant(t, e.Execute(context.Background(), op, in, nil), ops.Done)
			for _, g := range tt.gone {
				if exExists(c, g) {
					t.Errorf("%s still there", g)
				}
			}
			for rel, data := range tt.want {
				if data == "" {
					if fi, err := os.Stat(filepath.Join(c, filepath.FromSlash(rel))); err != nil || !fi.IsDir() {
						t.Errorf("folder %s: %v", rel, err)
					}
					continue
				}
				if got := exRead(t, c, rel); got != data {
					t.Errorf("%s = %q, want %q", rel, got, data)
				}
			}
			// Run again from the same intent (a crash before the commit):
			// already done, nothing else changes.
			after := exSnap(t, c)
			exWant(t, e.Execute(context.Background(), op, in, nil), ops.AlreadyDone)
			exDiff(t, "after a repeat", exSnap(t, c), after)
		})
	}
}

// TestExecutor_RenCaseOnly: `ren c:\w\y.dll Y.DLL` renames the file the
// case-insensitive lookup finds to the new case; the new name is not
// taken for the file itself, and no second file is made.
func TestExecutor_RenCaseOnly(t *testing.T) {
	skipUnderWine(t, "Wine's file system layer keeps a name's case on a rename that changes only its case")
	e, m := exNew(t)
	c := m["C"]
	exWrite(t, c, "w/y.dll", "dll")
	op := &ops.Op{Kind: ops.KindRen, Src: exC("W/Y.dll"), NewName: "Y.DLL"}
	in, err := e.Prepare(op, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(in.Items) != 1 || in.Items[0].Src != exC("w/y.dll") || in.Items[0].Dst != exC("w/Y.DLL") || in.Items[0].DstExisted {
		t.Fatalf("items %+v", in.Items)
	}
	exWant(t, e.Execute(context.Background(), op, in, nil), ops.Done)
	ents, err := os.ReadDir(filepath.Join(c, "w"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "Y.DLL" || exRead(t, c, "w/Y.DLL") != "dll" {
		t.Fatalf("folder holds %v", ents)
	}
	res := e.Execute(context.Background(), op, in, nil)
	if res.Outcome == ops.Failed {
		t.Fatalf("repeat: %s", res.Err)
	}
	if runtime.GOOS != "windows" && res.Outcome != ops.AlreadyDone {
		t.Errorf("repeat: %s", res.Outcome)
	}
}

// TestExecutor_RenNeverReplaces: a file that appears at the new name
// after the intent was made is not replaced.
func TestExecutor_RenNeverReplaces(t *testing.T) {
	e, m := exNew(t)
	c := m["C"]
	exWrite(t, c, "t/a.txt", "a")
	op := &ops.Op{Kind: ops.KindRen, Src: exC("t/a.txt"), NewName: "b.txt"}
	in, err := e.Prepare(op, 3)
	if err != nil {
		t.Fatal(err)
	}
	exWrite(t, c, "t/b.txt", "someone else's")
	res := e.Execute(context.Background(), op, in, nil)
	exWant(t, res, ops.Failed)
	if exRead(t, c, "t/b.txt") != "someone else's" || exRead(t, c, "t/a.txt") != "a" {
		t.Errorf("tree %v", exSnap(t, c))
	}
}

// TestExecutor_RenReadOnly: a read-only file is renamed, as on Windows.
func TestExecutor_RenReadOnly(t *testing.T) {
	e, m := exNew(t)
	c := m["C"]
	if err := os.Chmod(exWrite(t, c, "t/a.txt", "a"), 0o444); err != nil {
		t.Fatal(err)
	}
	exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindRen, Src: exC("t/a.txt"), NewName: "b.txt"}), ops.Done)
	if exExists(c, "t/a.txt") || exRead(t, c, "t/b.txt") != "a" {
		t.Errorf("tree %v", exSnap(t, c))
	}
}

// TestExecutor_RenNothingToDo: names that stay as they are leave no item.
func TestExecutor_RenNothingToDo(t *testing.T) {
	e, m := exNew(t)
	exWrite(t, m["C"], "t/a.txt", "a")
	exWant(t, exDo(t, e, &ops.Op{Kind: ops.KindRen, Src: exC("t/*.txt"), NewName: "*.txt"}), ops.AlreadyDone)
}

func TestExecutor_RenCrash(t *testing.T) {
	exRunCrashes(t, exCrashCase{
		setup: func(t *testing.T, d map[string]string) {
			exWrite(t, d["C"], "t/a.log", "1")
			exWrite(t, d["C"], "t/b.log", "2")
			exWrite(t, d["C"], "t/c.txt", "3")
			if err := os.MkdirAll(filepath.Join(d["C"], "t", "dir"), 0o755); err != nil {
				t.Fatal(err)
			}
		},
		op:     &ops.Op{Kind: ops.KindRen, Src: exC("t/*.log"), NewName: "*.bak"},
		points: []string{"move.before-rename", "move.after-rename"},
	})
}

// TestExecutor_RenBadIntent: an intent naming another folder is refused.
func TestExecutor_RenBadIntent(t *testing.T) {
	e, m := exNew(t)
	exWrite(t, m["C"], "t/a.txt", "a")
	op := &ops.Op{Kind: ops.KindRen, Src: exC("t/a.txt"), NewName: "b.txt"}
	for _, it := range []ops.Item{
		{Src: exC("t/a.txt"), Dst: exC("u/b.txt")},
		{Src: exC("t/a.txt"), Dst: exC("t/nul")},
		{Src: exC("t/a.txt"), Dst: exD("t/b.txt")},
	} {
		res := e.Execute(context.Background(), op, &ops.Intent{Items: []ops.Item{it}}, nil)
		if res.Outcome != ops.Failed || !exExists(m["C"], "t/a.txt") {
			t.Errorf("intent %+v: %s %s", it, res.Outcome, res.Err)
		}
	}
}
