package fsroot

import (
	"errors"
	"io/fs"
	"os"
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
	end := d.BeginRead()
	inner := d.BeginRead()
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
		if f != nil {
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
