package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"smswork/internal/ntfstest"
)

// ntfsBox is the KB example on a real NTFS image, mounted by ntfs-3g as an
// offline Windows image is serviced from Linux: drive C is the volume,
// SMS.INI and its journal at its root, names on disk in upper case.
func ntfsBox(t *testing.T, options ...string) (*ntfstest.Volume, *box) {
	t.Helper()
	v := ntfstest.Mount(t, options...)
	b := &box{t: t, dir: v.Dir, c: v.Dir, ini: filepath.Join(v.Dir, "SMS.INI"), journal: filepath.Join(v.Dir, "smswork.journal")}
	for name, data := range map[string]string{
		"TEMP/NETAPI.DLL":           "new netapi\n",
		"WINDOWS/SYSTEM/NETAPI.DLL": "old netapi\n",
		"WINDOWS/SYSTEM/KEEP.DLL":   "keep\n",
	} {
		p := filepath.Join(v.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	ini := "[SMS Work]\r\nPendingWork=copy c:\\temp\\netapi.dll c:\\windows\\system\\netapi.dll /y, del c:\\temp\\netapi.dll\r\n"
	if err := os.WriteFile(b.ini, []byte(ini), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("setfattr", "-n", "system.ntfs_attrib_be", "-v", "0x00000026", b.ini).CombinedOutput(); err != nil {
		t.Fatalf("setfattr: %v: %s", err, out)
	}
	return v, b
}

// TestNTFS_KBExample runs the KB article's queue on an NTFS image, with
// the names in the entries in another case than on disk, then reads the
// unmounted image with ntfsinfo and ntfscat: SMS.INI is still Hidden and
// System (0x26: before the fix ARCHIVE only, 0x20) and lists nothing, the
// DLL was replaced under its own name (no second file differing only in
// case), the temporary copy is gone, and the new DLL carries the
// attributes Windows' copy gives (Archive).
func TestNTFS_KBExample(t *testing.T) {
	if _, err := exec.LookPath("setfattr"); err != nil {
		t.Skip("setfattr (package attr) is needed to give SMS.INI its attributes")
	}
	v, b := ntfsBox(t, "umask=022")
	if code, stdout, stderr := b.smswork("run"); code != exitOK {
		t.Fatalf("run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	v.Unmount()

	info := v.Info("/SMS.INI")
	attrs := attrLine(info)
	if !strings.Contains(attrs, "HIDDEN") || !strings.Contains(attrs, "SYSTEM") {
		t.Errorf("SMS.INI on the image: %q, want HIDDEN SYSTEM kept\n%s", attrs, info)
	}
	if got := string(v.Cat("/SMS.INI")); got != "[SMS Work]\r\nPendingWork=\r\n" {
		t.Errorf("SMS.INI on the image: %q", got)
	}
	if got := string(v.Cat("/WINDOWS/SYSTEM/NETAPI.DLL")); got != "new netapi\n" {
		t.Errorf("NETAPI.DLL on the image: %q", got)
	}
	names := v.Ls("/WINDOWS/SYSTEM")
	slices.Sort(names)
	if !slices.Equal(names, []string{"KEEP.DLL", "NETAPI.DLL"}) {
		t.Errorf("WINDOWS/SYSTEM on the image holds %q, want KEEP.DLL and NETAPI.DLL in their own case and nothing else", names)
	}
	if temp := v.Ls("/TEMP"); len(temp) != 0 {
		t.Errorf("TEMP on the image still holds %q", temp)
	}
	if root := v.Ls("/"); slices.ContainsFunc(root, func(n string) bool {
		return strings.EqualFold(n, "temp") && n != "TEMP" || strings.EqualFold(n, "windows") && n != "WINDOWS"
	}) {
		t.Errorf("a folder differing only in case was made: %q", root)
	}
	if dll := attrLine(v.Info("/WINDOWS/SYSTEM/NETAPI.DLL")); !strings.Contains(dll, "ARCHIVE") || strings.Contains(dll, "HIDDEN") {
		t.Errorf("NETAPI.DLL attributes %q, want ARCHIVE (Windows' copy)", dll)
	}
}

// TestNTFS_PermissionAdvice: on ntfs-3g's default mount every file shows
// as 0777, so run refuses; its advice names the mount options that fix
// it, not --insecure-permissions. With -o umask=022 it runs.
func TestNTFS_PermissionAdvice(t *testing.T) {
	_, b := ntfsBox(t)
	code, stdout, stderr := b.smswork("run")
	if code != exitUsage {
		t.Fatalf("run on a 0777 mount: exit %d, want %d\n%s\n%s", code, exitUsage, stdout, stderr)
	}
	for _, want := range []string{"mode 0777", "-o umask=022", "-o permissions", "NTFS"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "--insecure-permissions") {
		t.Errorf("the advice names --insecure-permissions for an NTFS mount:\n%s", stderr)
	}
	if !bytes.Contains([]byte(b.read("SMS.INI")), []byte("copy c:")) {
		t.Error("the queue changed")
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

// TestDifference_D8_ShortNamesOnNTFS: 8.3 names in an entry resolve
// through the short names NTFS keeps (ntfs-3g's system.ntfs_dos_name).
func TestDifference_D8_ShortNamesOnNTFS(t *testing.T) {
	v, b := ntfsBox(t, "umask=022")
	if err := os.MkdirAll(filepath.Join(v.Dir, "Program Files", "App One"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(v.Dir, "Program Files", "App One", "app.dll"), []byte("app"), 0o644); err != nil {
		t.Fatal(err)
	}
	setShortNames(t, v.Dir, map[string]string{"Program Files": "PROGRA~1", "Program Files/App One": "APPONE~1"})
	if err := os.WriteFile(b.ini, []byte("[SMS Work]\r\nPendingWork=copy c:\\progra~1\\appone~1\\app.dll c:\\windows\\app.dll\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, stdout, stderr := b.smswork("run"); code != exitOK {
		t.Fatalf("exit %d\n%s%s", code, stdout, stderr)
	}
	if got := b.read("WINDOWS/app.dll"); got != "app" {
		t.Errorf("app.dll = %q", got)
	}
}
