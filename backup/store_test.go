package backup

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"smswork/internal/fsroot"
	"smswork/ops"
)

func TestStore_UsageRemove(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			e := newEnv(t, m.copyOnly)
			e.file("C:/a.txt", "12345", 0o644)
			e.file("C:/b.txt", "123", 0o644)
			_, in1 := e.prepare(`del C:\a.txt`, 1)
			_, in2 := e.prepare(`del C:\*.txt`, 2)
			for _, in := range []*ops.Intent{in1, in2} {
				if err := e.store.Capture(in); err != nil {
					t.Fatal(err)
				}
			}
			bytes, files, err := e.store.Usage()
			if err != nil {
				t.Fatal(err)
			}
			// a.txt is kept twice: as one file when linked.
			wantBytes := int64(8)
			if m.copyOnly {
				wantBytes = 13
			}
			if bytes != wantBytes || files != 3 {
				t.Errorf("usage %d bytes %d files, want %d and 3", bytes, files, wantBytes)
			}
			if b2, f2, err := Usage(e.store.Dir()); err != nil || b2 != bytes || f2 != files {
				t.Errorf("Usage(dir) = %d, %d (%v), want %d, %d", b2, f2, err, bytes, files)
			}
			names := []string{in1.Backups[0].Name, in2.Backups[0].Name, in2.Backups[1].Name, "999-1-0"}
			if err := e.store.Remove(names); err != nil {
				t.Fatal(err)
			}
			if bytes, files, err := e.store.Usage(); err != nil || bytes != 0 || files != 0 {
				t.Errorf("usage after Remove: %d bytes %d files (%v)", bytes, files, err)
			}
			if err := e.store.Remove([]string{"../x"}); !errors.Is(err, ErrBadRecord) {
				t.Errorf("remove of a bad name: %v", err)
			}
		})
	}
}

func TestUsage_NoFolder(t *testing.T) {
	_, _, err := Usage(filepath.Join(t.TempDir(), "none"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err %v, want os.ErrNotExist", err)
	}
}

func TestOpen_MakesFolder(t *testing.T) {
	top := t.TempDir()
	d, err := fsroot.NewDrives(map[string]string{"C": top})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	dir := filepath.Join(top, "a", "b", "backups")
	s, err := Open(dir, d)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() || s.Dir() != dir {
		t.Fatalf("%v %v %s", fi, err, s.Dir())
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("folder mode %v, want no access for others", fi.Mode())
	}
	s2, err := Open(dir, d)
	if err != nil {
		t.Fatalf("open again: %v", err)
	}
	if err := s2.Close(); err != nil {
		t.Error(err)
	}
}
