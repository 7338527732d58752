package fsroot

import (
	"errors"
	"os"
	"path/filepath"
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
