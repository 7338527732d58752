package fsroot

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/windows"
)

// TestWriteFile_KeepsAttributes: SMS.INI is Hidden (KB139086) and may be
// System and ReadOnly; a rename over it drops them (under Wine as on
// Windows), so WriteFile must set them again.
func TestWriteFile_KeepsAttributes(t *testing.T) {
	for _, tc := range []struct {
		name  string
		attrs uint32
	}{
		{"hidden", windows.FILE_ATTRIBUTE_HIDDEN},
		{"hidden system", windows.FILE_ATTRIBUTE_HIDDEN | windows.FILE_ATTRIBUTE_SYSTEM},
		{"hidden system read-only", windows.FILE_ATTRIBUTE_HIDDEN | windows.FILE_ATTRIBUTE_SYSTEM | windows.FILE_ATTRIBUTE_READONLY},
		{"read-only", windows.FILE_ATTRIBUTE_READONLY},
		{"none", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "SMS.INI")
			if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
				t.Fatal(err)
			}
			setAttributes(t, p, tc.attrs|windows.FILE_ATTRIBUTE_ARCHIVE)
			t.Cleanup(func() { setAttributes(t, p, windows.FILE_ATTRIBUTE_NORMAL) })
			if err := WriteFile(p, []byte("new"), Options{}); err != nil {
				t.Fatal(err)
			}
			mustRead(t, p, "new")
			if got := attributes(t, p) & keptAttrs; got != tc.attrs {
				t.Errorf("attributes %#x after the rewrite, want %#x", got, tc.attrs)
			}
		})
	}
}

// TestWriteFile_CaseInsensitive: a rewrite through another case of the
// name replaces the one file, as NTFS names are case-insensitive.
func TestWriteFile_CaseInsensitive(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "SMS.INI")
	if err := os.WriteFile(p, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	setAttributes(t, p, windows.FILE_ATTRIBUTE_HIDDEN)
	if err := WriteFile(filepath.Join(dir, "sms.ini"), []byte("new"), Options{}); err != nil {
		t.Fatal(err)
	}
	mustRead(t, p, "new")
	if a := attributes(t, p); a&windows.FILE_ATTRIBUTE_HIDDEN == 0 {
		t.Errorf("attributes %#x: Hidden lost", a)
	}
	if es, _ := os.ReadDir(dir); len(es) != 1 {
		t.Errorf("folder holds %v, want one file", es)
	}
}

func attributes(t *testing.T, p string) uint32 {
	t.Helper()
	u, err := windows.UTF16PtrFromString(p)
	if err != nil {
		t.Fatal(err)
	}
	a, err := windows.GetFileAttributes(u)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func setAttributes(t *testing.T, p string, a uint32) {
	t.Helper()
	u, err := windows.UTF16PtrFromString(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := windows.SetFileAttributes(u, a); err != nil {
		t.Fatal(err)
	}
}
