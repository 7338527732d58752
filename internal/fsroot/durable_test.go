package fsroot

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestWriteFile(t *testing.T) {
	t.Run("creates", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "SMS.INI")
		if err := WriteFile(p, []byte("new"), Options{Perm: 0o600}); err != nil {
			t.Fatal(err)
		}
		mustRead(t, p, "new")
		mustOnlyFile(t, p)
	})
	t.Run("replaces and keeps mode", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "SMS.INI")
		if err := os.WriteFile(p, []byte("old"), 0o640); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, 0o640); err != nil {
			t.Fatal(err)
		}
		before, _ := os.Stat(p)
		if err := WriteFile(p, []byte("new"), Options{}); err != nil {
			t.Fatal(err)
		}
		mustRead(t, p, "new")
		after, err := os.Stat(p)
		if err != nil || after.Mode() != before.Mode() {
			t.Errorf("mode %v, was %v (%v)", after.Mode(), before.Mode(), err)
		}
		mustOnlyFile(t, p)
	})
	t.Run("hook sees the durable temporary file; its error leaves the target", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "SMS.INI")
		if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
			t.Fatal(err)
		}
		boom := errors.New("boom")
		var seen string
		err := WriteFile(p, []byte("new"), Options{Hook: func(tmp string) error {
			seen = tmp
			if !strings.HasPrefix(filepath.Base(tmp), TempPrefix) || filepath.Dir(tmp) != filepath.Dir(p) {
				t.Errorf("temporary file %s", tmp)
			}
			mustRead(t, tmp, "new")
			return boom
		}})
		if !errors.Is(err, boom) {
			t.Fatalf("err %v", err)
		}
		mustRead(t, p, "old")
		if _, err := os.Lstat(seen); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("temporary file left: %v", err)
		}
	})
}

func TestRename_ReplacesExisting(t *testing.T) {
	dir := t.TempDir()
	a, b := filepath.Join(dir, "a"), filepath.Join(dir, "b")
	for p, s := range map[string]string{a: "A", b: "B"} {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := Rename(a, b); err != nil {
		t.Fatal(err)
	}
	if err := SyncDir(dir); err != nil {
		t.Fatal(err)
	}
	mustRead(t, b, "A")
	if _, err := os.Lstat(a); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("source still there: %v", err)
	}
}

func mustRead(t *testing.T, p, want string) {
	t.Helper()
	got, err := os.ReadFile(p)
	if err != nil || string(got) != want {
		t.Fatalf("%s holds %q (%v), want %q", p, got, err, want)
	}
}

// mustOnlyFile checks that p is alone in its folder: no temporary file left.
func mustOnlyFile(t *testing.T, p string) {
	t.Helper()
	es, err := os.ReadDir(filepath.Dir(p))
	if err != nil {
		t.Fatal(err)
	}
	if len(es) != 1 || es[0].Name() != filepath.Base(p) {
		t.Errorf("folder holds %v", es)
	}
}

// TestSyncDir_Errors: SyncDir of a folder succeeds; of a missing folder
// or of a file it fails, naming the folder, with the error os.Open gives.
func TestSyncDir_Errors(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows syncs no folder (a folder's entries are durable with its files)")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "f.txt")
	if err := os.WriteFile(file, []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := SyncDir(dir); err != nil {
		t.Fatalf("SyncDir(%s): %v", dir, err)
	}
	missing := filepath.Join(dir, "missing")
	if err := SyncDir(missing); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Errorf("SyncDir of a missing folder: %v, want not-exist naming it", err)
	}
	if err := SyncDir(file); err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("SyncDir of a file: %v, want an error naming it", err)
	}
}
