package fsroot

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestLooksShort(t *testing.T) {
	tests := []struct {
		el   string
		want bool
	}{
		{"PROGRA~1", true}, {"progra~1", true}, {"NETAP~12.DLL", true}, {"NETAPI~12.DLL", false}, {"A~1.X", true}, {"DOCUME~1.TXT", true},
		{"Program Files", false}, {"PROGRA~", false}, {"~1", false}, {"PROGRAMF~1", false}, {"PROG~A", false},
		{"A~1.TEXT", false}, {"A~1.", false}, {"A~1.B.C", false}, {"A B~1", false}, {"plain.txt", false},
	}
	for _, tt := range tests {
		if got := LooksShort(tt.el); got != tt.want {
			t.Errorf("LooksShort(%q) = %v, want %v", tt.el, got, tt.want)
		}
	}
}

// TestIsReadOnly_Mode: on a file system that keeps no attributes a file no
// one may write is read-only, and MakeWritable gives its owner write
// permission; a folder is never read-only.
func TestIsReadOnly_Mode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows keeps attributes on every file system")
	}
	dir := t.TempDir()
	for _, f := range []struct {
		name string
		mode os.FileMode
		ro   bool
	}{{"rw.txt", 0o644, false}, {"ro.txt", 0o444, true}, {"owner-only.txt", 0o600, false}, {"none.txt", 0o000, true}} {
		p := filepath.Join(dir, f.name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, f.mode); err != nil {
			t.Fatal(err)
		}
		root, err := os.OpenRoot(dir)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := root.Lstat(f.name)
		if err != nil {
			t.Fatal(err)
		}
		ro, err := IsReadOnly(root, f.name, fi)
		if err != nil || ro != f.ro {
			t.Errorf("IsReadOnly(%s, %v) = %v, %v; want %v", f.name, f.mode, ro, err, f.ro)
		}
		if f.ro {
			if err := MakeWritable(root, f.name, fi); err != nil {
				t.Fatal(err)
			}
			fi, _ = root.Lstat(f.name)
			if ro, _ := IsReadOnly(root, f.name, fi); ro {
				t.Errorf("%s still read-only after MakeWritable (mode %v)", f.name, fi.Mode())
			}
		}
		_ = root.Close()
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		t.Fatal(err)
	}
	root, _ := os.OpenRoot(dir)
	defer root.Close()
	if ro, _ := IsReadOnly(root, ".", fi); ro {
		t.Error("a folder is read-only")
	}
}
