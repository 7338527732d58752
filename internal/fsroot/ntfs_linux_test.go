package fsroot

import (
	"encoding/binary"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"smswork/internal/ntfstest"
	"smswork/ops"
)

func setNTFSAttrs(t *testing.T, path string, attrs uint32) {
	t.Helper()
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], attrs)
	if err := unix.Setxattr(path, ntfsAttrib, b[:], 0); err != nil {
		t.Fatalf("setxattr %s: %v", path, err)
	}
}

func ntfsAttrs(t *testing.T, path string) uint32 {
	t.Helper()
	var b [4]byte
	if _, err := unix.Getxattr(path, ntfsAttrib, b[:]); err != nil {
		t.Fatalf("getxattr %s: %v", path, err)
	}
	return binary.BigEndian.Uint32(b[:])
}

// TestWriteFile_NTFSKeepsAttributes: SMS.INI on an NTFS image mounted by
// ntfs-3g keeps Hidden, System and ReadOnly across rewrites, as read back
// from the unmounted image by ntfsinfo. Before the fix it came back
// ARCHIVE only (0x20), as the KB article warns.
func TestWriteFile_NTFSKeepsAttributes(t *testing.T) {
	v := ntfstest.Mount(t, "umask=022")
	p := filepath.Join(v.Dir, "SMS.INI")
	if err := os.WriteFile(p, []byte("[SMS Work]\nPendingWork=\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	setNTFSAttrs(t, p, 0x27) // ReadOnly, Hidden, System, Archive
	for i, data := range []string{"[SMS Work]\nPendingWork=a\n", "[SMS Work]\nPendingWork=\n"} {
		if err := WriteFile(p, []byte(data), Options{}); err != nil {
			t.Fatalf("rewrite %d: %v", i, err)
		}
		if got := ntfsAttrs(t, p) & keptAttrMask; got != 0x07 {
			t.Fatalf("after rewrite %d: attributes %#x, want ReadOnly, Hidden and System (0x7) kept", i, got)
		}
	}
	ents, err := os.ReadDir(v.Dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if strings.HasPrefix(e.Name(), TempPrefix) {
			t.Errorf("temporary file %s left", e.Name())
		}
	}
	v.Unmount()
	info := v.Info("/SMS.INI")
	for _, want := range []string{"HIDDEN", "SYSTEM", "READONLY"} {
		if !strings.Contains(attrLine(info), want) {
			t.Errorf("ntfsinfo: %q lacks %s:\n%s", attrLine(info), want, info)
		}
	}
	if got := string(v.Cat("/SMS.INI")); got != "[SMS Work]\nPendingWork=\n" {
		t.Errorf("ntfscat: %q", got)
	}
}

// attrLine is ntfsinfo's "File attributes:" line of $STANDARD_INFORMATION.
func attrLine(info string) string {
	for _, l := range strings.Split(info, "\n") {
		if strings.Contains(l, "File attributes:") {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

// TestAttributes_NTFS: a copy's attributes are the source's ReadOnly,
// Hidden and System plus Archive; the read-only attribute makes a file
// read-only whatever its mode, and MakeWritable clears it.
func TestAttributes_NTFS(t *testing.T) {
	v := ntfstest.Mount(t, "umask=022")
	src := filepath.Join(v.Dir, "src.dll")
	dst := filepath.Join(v.Dir, "dst.dll")
	for _, p := range []string{src, dst} {
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	setNTFSAttrs(t, src, 0x07) // ReadOnly, Hidden, System, no Archive
	setNTFSAttrs(t, dst, 0x80) // Normal
	sf, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer sf.Close()
	df, err := os.OpenFile(dst, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := CopyAttributes(sf, df); err != nil {
		t.Fatal(err)
	}
	_ = df.Close()
	if got := ntfsAttrs(t, dst) & 0x27; got != 0x27 {
		t.Errorf("copy's attributes %#x, want the source's 0x7 plus Archive", got)
	}

	root, err := os.OpenRoot(v.Dir)
	if err != nil {
		t.Fatal(err)
	}
	defer root.Close()
	fi, err := root.Lstat("src.dll")
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm()&0o200 == 0 {
		t.Fatalf("mode %v: ntfs-3g with umask=022 was expected to show a writable mode", fi.Mode())
	}
	drives, err := NewDrives(map[string]string{"C": v.Dir})
	if err != nil {
		t.Fatal(err)
	}
	defer drives.Close()
	if ro, err := IsReadOnly(root, "src.dll", fi); err != nil || !ro {
		t.Fatalf("IsReadOnly of a file with the ReadOnly attribute = %v, %v", ro, err)
	}
	// Drives.IsReadOnly asks ntfs-3g every time: it keeps attributes.
	if err := os.WriteFile(filepath.Join(v.Dir, "plain.dll"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	setNTFSAttrs(t, filepath.Join(v.Dir, "plain.dll"), 0x80)
	for i := 0; i < 2; i++ {
		if ro, err := drives.IsReadOnly(root, "plain.dll", fi); err != nil || ro {
			t.Fatalf("Drives.IsReadOnly of a Normal file, call %d = %v, %v", i+1, ro, err)
		}
		if ro, err := drives.IsReadOnly(root, "src.dll", fi); err != nil || !ro {
			t.Fatalf("Drives.IsReadOnly of a ReadOnly file, call %d = %v, %v", i+1, ro, err)
		}
	}
	if err := MakeWritable(root, "src.dll", fi); err != nil {
		t.Fatal(err)
	}
	if ro, err := IsReadOnly(root, "src.dll", fi); err != nil || ro {
		t.Fatalf("IsReadOnly after MakeWritable = %v, %v", ro, err)
	}
	if ro, err := drives.IsReadOnly(root, "src.dll", fi); err != nil || ro {
		t.Fatalf("Drives.IsReadOnly after MakeWritable = %v, %v", ro, err)
	}
	if got := ntfsAttrs(t, src); got&0x06 != 0x06 {
		t.Errorf("MakeWritable dropped Hidden or System: %#x", got)
	}
}

// TestResolve_NTFSShortNames: an 8.3 name (PROGRA~1) resolves through
// ntfs-3g's system.ntfs_dos_name to the long name, in any case, only when
// the name itself is not there.
func TestResolve_NTFSShortNames(t *testing.T) {
	v := ntfstest.Mount(t, "umask=022")
	long := filepath.Join(v.Dir, "Program Files", "Common Files")
	if err := os.MkdirAll(long, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(long, "netapi32.dll"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, set := range [][2]string{{filepath.Join(v.Dir, "Program Files"), "PROGRA~1"}, {long, "COMMON~1"}} {
		if err := unix.Setxattr(set[0], ntfsDOSName, []byte(set[1]), 0); err != nil {
			t.Fatalf("set short name of %s: %v", set[0], err)
		}
	}
	if err := os.Mkdir(filepath.Join(v.Dir, "KEEP~1"), 0o755); err != nil {
		t.Fatal(err)
	}
	d, err := NewDrives(map[string]string{"C": v.Dir})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	tests := []struct{ in, want string }{
		{"progra~1/common~1/netapi32.dll", "Program Files/Common Files/netapi32.dll"},
		{"PROGRA~1/Common Files/NETAPI32.DLL", "Program Files/Common Files/netapi32.dll"},
		{"Progra~1", "Program Files"},
		{"keep~1", "KEEP~1"},
		{"progra~2", "progra~2"},
	}
	for _, tt := range tests {
		got, err := d.Resolve(ops.Path{Drive: "C", Rel: tt.in})
		if err != nil || got.Rel != tt.want {
			t.Errorf("Resolve(%s) = %q, %v; want %q", tt.in, got.Rel, err, tt.want)
		}
	}
}
