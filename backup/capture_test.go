package backup

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStore_Capture(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name+"/twice", func(t *testing.T) {
			e := newEnv(t, m.copyOnly)
			e.file("C:/a.txt", "aaa", 0o644)
			e.file("C:/b.txt", "bb", 0o600)
			_, in := e.prepare(`del C:\*.txt`, 1)
			for range 2 {
				if err := e.store.Capture(in); err != nil {
					t.Fatal(err)
				}
				e.checkCaptured(in)
				if _, files, err := e.store.Usage(); err != nil || files != 2 {
					t.Errorf("usage: %d files (%v), want 2", files, err)
				}
			}
		})
		t.Run(m.name+"/after a crash half-way", func(t *testing.T) {
			e := newEnv(t, m.copyOnly)
			e.file("C:/a.txt", "aaa", 0o644)
			e.file("C:/b.txt", "bb", 0o600)
			e.file("C:/c.txt", "c", 0o640)
			_, in := e.prepare(`del C:\*.txt`, 1)
			// The crash came after the first backup was made and during
			// the copy of the second: its temporary file is half written.
			half := *in
			half.Backups = in.Backups[:1]
			if err := e.store.Capture(&half); err != nil {
				t.Fatal(err)
			}
			leftover := filepath.Join(e.store.Dir(), tempName(in.Backups[1].Name))
			if err := os.WriteFile(leftover, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := e.store.Capture(in); err != nil {
				t.Fatal(err)
			}
			e.checkCaptured(in)
			if _, err := os.Lstat(leftover); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("leftover temporary file: %v", err)
			}
			if _, files, err := e.store.Usage(); err != nil || files != 3 {
				t.Errorf("usage: %d files (%v), want 3", files, err)
			}
		})
		t.Run(m.name+"/changed since planned", func(t *testing.T) {
			e := newEnv(t, m.copyOnly)
			e.file("C:/a.txt", "aaa", 0o644)
			_, in := e.prepare(`del C:\a.txt`, 1)
			e.file("C:/a.txt", "longer now", 0o644)
			err := e.store.Capture(in)
			if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), `C:\a.txt`) {
				t.Errorf("err %v, want ErrChanged naming the file", err)
			}
			if _, files, _ := e.store.Usage(); files != 0 {
				t.Errorf("%d files kept", files)
			}
		})
	}
	t.Run("nothing to keep", func(t *testing.T) {
		e := newEnv(t, false)
		_, in := e.prepare(`md C:\x`, 1)
		if err := e.store.Capture(in); err != nil {
			t.Fatal(err)
		}
	})
}
