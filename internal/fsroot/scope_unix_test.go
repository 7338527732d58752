//go:build !windows

package fsroot

import (
	"os"
	"path/filepath"
	"testing"

	"smswork/ops"
)

// TestReadScope_Links: a link that leads out of its folder but stays in
// the drive is followed by Stat and Open in a scope as by the drive's root (the
// folder's own handle refuses it); one leaving the drive is refused, and a
// dangling one is missing, in a scope as outside.
func TestReadScope_Links(t *testing.T) {
	d, m := exDrives(t, "C")
	exWrite(t, m["C"], "other/t.txt", "target")
	exWrite(t, m["C"], "dir/f.txt", "f")
	outside := exWrite(t, t.TempDir(), "secret.txt", "secret")
	for name, to := range map[string]string{"up": "../other/t.txt", "out": outside, "dangling": "../nothing"} {
		if err := os.Symlink(to, filepath.Join(m["C"], "dir", name)); err != nil {
			t.Fatal(err)
		}
	}
	root, err := d.Root("C")
	if err != nil {
		t.Fatal(err)
	}
	defer d.BeginScope()()
	for _, tt := range []struct {
		name string
		ok   bool
		size int64
	}{{"up", true, int64(len("target"))}, {"out", false, 0}, {"dangling", false, 0}} {
		p := ops.Path{Drive: "C", Rel: "dir/" + tt.name}
		got, gerr := d.Stat(p)
		want, werr := root.Stat(relName(p.Rel))
		if (gerr == nil) != tt.ok || !sameLook(got, gerr, want, werr) || tt.ok && got.Size() != tt.size {
			t.Errorf("Stat(%s) in a scope: %v, %v; the drive's root: %v, %v", p.Rel, got, gerr, want, werr)
		}
		f, oerr := d.Open(p)
		if oerr == nil {
			ofi, err := f.Stat()
			_ = f.Close()
			if err != nil || !sameLook(ofi, err, want, werr) {
				t.Errorf("Open(%s) in a scope: %v, %v; the drive's root's Stat: %v, %v", p.Rel, ofi, err, want, werr)
			}
		} else if tt.ok || !sameLook(nil, oerr, want, werr) {
			t.Errorf("Open(%s) in a scope: %v; the drive's root's Stat: %v, %v", p.Rel, oerr, want, werr)
		}
		lfi, err := d.Lstat(p)
		if err != nil || lfi.Mode()&os.ModeSymlink == 0 {
			t.Errorf("Lstat(%s) in a scope: %v, %v; want the link itself", p.Rel, lfi, err)
		}
	}
}
