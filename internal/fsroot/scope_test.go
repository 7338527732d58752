package fsroot

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"smswork/ops"
)

// sameLook reports whether two looks at one path agree: both found it,
// with the same name, mode, size and time, or both failed the same way.
func sameLook(a os.FileInfo, aerr error, b os.FileInfo, berr error) bool {
	if aerr != nil || berr != nil {
		return aerr != nil && berr != nil && isNotExist(aerr) == isNotExist(berr) &&
			errors.Is(aerr, fs.ErrNotExist) == errors.Is(berr, fs.ErrNotExist)
	}
	return a.Name() == b.Name() && a.Mode() == b.Mode() && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// TestReadScope: inside a read scope, Lstat and Stat answer as the drive's
// root does, for files at every depth, missing paths and paths below a
// file, while each folder is opened once and every handle is closed when
// the last of nested scopes ends.
func TestReadScope(t *testing.T) {
	d, m := exDrives(t, "C")
	exWrite(t, m["C"], "a.txt", "a")
	exWrite(t, m["C"], "dir/f.txt", "ff")
	exWrite(t, m["C"], "dir/sub/g.txt", "ggg")
	root, err := d.Root("C")
	if err != nil {
		t.Fatal(err)
	}
	paths := []struct {
		rel    string
		exists bool
	}{
		{"a.txt", true},
		{"dir", true},
		{"dir/f.txt", true},
		{"dir/sub", true},
		{"dir/sub/g.txt", true},
		{"dir/missing", false},
		{"nodir/x", false},
		{"dir/f.txt/below", false},
	}
	end := d.BeginScope()
	inner := d.BeginScope()
	for _, tt := range paths {
		p := ops.Path{Drive: "C", Rel: tt.rel}
		for _, look := range []struct {
			name  string
			scope func(ops.Path) (os.FileInfo, error)
			root  func(string) (os.FileInfo, error)
		}{{"Lstat", d.Lstat, root.Lstat}, {"Stat", d.Stat, root.Stat}} {
			got, gerr := look.scope(p)
			want, werr := look.root(relName(tt.rel))
			if (gerr == nil) != tt.exists || !sameLook(got, gerr, want, werr) {
				t.Errorf("%s(%s) in a scope: %v, %v; the drive's root: %v, %v", look.name, tt.rel, got, gerr, want, werr)
			}
		}
	}
	opened := 0
	for k, f := range d.scope.folders {
		if f.root != nil {
			opened++
		} else if k != indexKey("C", "nodir") && k != indexKey("C", "dir/f.txt") {
			t.Errorf("folder %q could not be opened", k)
		}
	}
	if opened != 2 || len(d.scope.folders) != 4 {
		t.Errorf("scope holds %d folders, %d open; want 4 looked into, 2 open (dir, dir/sub)", len(d.scope.folders), opened)
	}
	inner()
	inner() // a second end of the same scope changes nothing
	if d.scope == nil || len(d.scope.folders) != 4 {
		t.Fatal("the inner end closed the outer scope")
	}
	end()
	if d.scope != nil {
		t.Fatal("scope still open after the last end")
	}
	// Outside a scope nothing is kept.
	if _, err := d.Lstat(ops.Path{Drive: "C", Rel: "dir/f.txt"}); err != nil {
		t.Fatal(err)
	}
	if d.scope != nil {
		t.Fatal("a look outside a scope opened one")
	}
}

// TestScope_Calls: the calls that change files answer inside a scope as
// through the drive's root, and go through the scope's handles: a rename
// between two folders, a replace and a folder's sync open nothing the
// scope does not keep, and ForgetFolder drops the folder and what is
// inside it, nothing else.
func TestScope_Calls(t *testing.T) {
	d, m := exDrives(t, "C")
	exWrite(t, m["C"], "dir/a.txt", "a")
	exWrite(t, m["C"], "dir/sub/s.txt", "s")
	exWrite(t, m["C"], "other/o.txt", "o")
	end := d.BeginScope()
	defer end()
	p := func(rel string) ops.Path { return ops.Path{Drive: "C", Rel: rel} }

	if err := d.Rename(p("dir/a.txt"), p("other/b.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Lstat(p("dir/a.txt")); !isNotExist(err) {
		t.Errorf("renamed away: Lstat = %v", err)
	}
	if fi, err := d.Lstat(p("other/b.txt")); err != nil || fi.Size() != 1 {
		t.Errorf("renamed to: %v, %v", fi, err)
	}
	err := d.Rename(p("dir/missing"), p("other/m"))
	var le *os.LinkError
	if !isNotExist(err) || !errors.As(err, &le) {
		t.Errorf("rename of a missing file: %v (%T), want a missing *os.LinkError", err, err)
	}
	if err := d.Rename(p("dir/a.txt"), ops.Path{Drive: "D", Rel: "x"}); err == nil {
		t.Error("rename across drives succeeded")
	}

	if err := d.Replace(p("dir/new.txt"), ".tmp-new", ReplaceOptions{Perm: 0o644, Fill: func(f *os.File) error {
		_, err := f.WriteString("new")
		return err
	}}); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(filepath.Join(m["C"], "dir", "new.txt"))
	if err != nil || string(data) != "new" {
		t.Errorf("replaced: %q, %v", data, err)
	}
	if err := d.SyncFolder(p("dir/sub")); err != nil {
		t.Fatal(err)
	}
	if err := d.SyncFolder(p("nodir")); err != nil {
		t.Errorf("sync of a missing folder: %v, want it skipped", err)
	}
	d.mu.Lock()
	dir, sub := d.scope.folders[indexKey("C", "dir")], d.scope.folders[indexKey("C", "dir/sub")]
	d.mu.Unlock()
	// Where folders are not synced (Windows) the sync opens nothing.
	if dir == nil || dir.root == nil || foldersSync && (sub == nil || sub.root == nil) {
		t.Fatalf("scope holds %v, want dir and (where folders sync) dir/sub open", d.scope.folders)
	}
	if foldersSync && (dir.file == nil || sub.file == nil) {
		t.Error("the folders were synced through handles the scope does not keep")
	}

	d.ForgetFolder(p("dir"))
	d.mu.Lock()
	_, dirKept := d.scope.folders[indexKey("C", "dir")]
	_, subKept := d.scope.folders[indexKey("C", "dir/sub")]
	_, otherKept := d.scope.folders[indexKey("C", "other")]
	d.mu.Unlock()
	if dirKept || subKept || !otherKept {
		t.Errorf("after ForgetFolder(dir): dir kept %v, dir/sub kept %v, other kept %v; want false, false, true", dirKept, subKept, otherKept)
	}
	// Forgotten, the folder is opened again by its name.
	if fi, err := d.Lstat(p("dir/sub/s.txt")); err != nil || fi.Size() != 1 {
		t.Errorf("after ForgetFolder: %v, %v", fi, err)
	}
}
