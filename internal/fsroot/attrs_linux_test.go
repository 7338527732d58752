package fsroot

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestDrives_IsReadOnlyRemembers: on a file system that keeps no NTFS
// attributes (the test's ext4 or tmpfs folder) Drives.IsReadOnly judges
// by the mode, as IsReadOnly does, and after the first file it no longer
// opens any: a file it cannot open (no permission is not it: a name that
// is gone) is still answered from its FileInfo.
func TestDrives_IsReadOnlyRemembers(t *testing.T) {
	dir := t.TempDir()
	for name, mode := range map[string]os.FileMode{"rw.txt": 0o644, "ro.txt": 0o444, "gone.txt": 0o444} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, mode); err != nil {
			t.Fatal(err)
		}
	}
	d, err := NewDrives(map[string]string{"C": dir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	root, err := d.Root("C")
	if err != nil {
		t.Fatal(err)
	}
	gone, err := root.Lstat("gone.txt")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "gone.txt")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.IsReadOnly(root, "gone.txt", gone); err == nil {
		t.Fatal("a file gone before its first look answered without being opened")
	}
	for _, tc := range []struct {
		name string
		want bool
	}{{"rw.txt", false}, {"ro.txt", true}, {"gone.txt", true}} {
		fi := gone
		if tc.name != "gone.txt" {
			if fi, err = root.Lstat(tc.name); err != nil {
				t.Fatal(err)
			}
		}
		ro, err := d.IsReadOnly(root, tc.name, fi)
		if err != nil || ro != tc.want {
			t.Errorf("Drives.IsReadOnly(%s) = %v, %v; want %v", tc.name, ro, err, tc.want)
		}
	}
	if !d.attrlessDevice(uint64(gone.Sys().(*syscall.Stat_t).Dev)) {
		t.Error("the folder's file system was not recorded as keeping no attributes")
	}
}
