package fsroot

import (
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// exTime is the modification time test files are given.
var exTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

// exDrives maps each letter onto a new folder of its own and returns the
// drives and the mapping.
func exDrives(t *testing.T, letters ...string) (*Drives, map[string]string) {
	t.Helper()
	m := map[string]string{}
	for _, l := range letters {
		dir := filepath.Join(t.TempDir(), strings.ToLower(l))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		m[l] = dir
	}
	d, err := NewDrives(m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d, m
}

// exWrite writes data to rel under dir, with its folders, and returns the
// file's host path.
func exWrite(t *testing.T, dir, rel, data string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, exTime, exTime); err != nil {
		t.Fatal(err)
	}
	return p
}

// skipCaseInsensitive skips a test of the on-disk case a case-sensitive
// file system needs; Windows resolves case itself.
func skipCaseInsensitive(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("checks the on-disk case a case-sensitive file system needs; Windows resolves case itself")
	}
}
