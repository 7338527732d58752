package fsroot

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"smswork/ops"
)

func TestParseDriveFlag(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l, d, err := ParseDriveFlag("c=" + dir + string(filepath.Separator))
	if err != nil || l != "C" || d != dir {
		t.Errorf("got %q %q %v", l, d, err)
	}
	for _, bad := range []string{"", "C", "CC=" + dir, "1=" + dir, "C=relative", "C=" + file, "C=" + filepath.Join(dir, "none")} {
		if _, _, err := ParseDriveFlag(bad); !errors.Is(err, ErrDriveFlag) {
			t.Errorf("ParseDriveFlag(%q) = %v", bad, err)
		}
	}
	if _, err := NewDrives(map[string]string{"c": dir, "C": dir}); !errors.Is(err, ErrDriveFlag) {
		t.Errorf("duplicate letter: %v", err)
	}
}

func TestDrives_Root(t *testing.T) {
	d, m := exDrives(t, "C")
	r1, err := d.Root("c")
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := d.Root("C")
	if r1 != r2 {
		t.Error("root not cached")
	}
	if runtime.GOOS != "windows" {
		_, err := d.Root("Q")
		if !errors.Is(err, ErrDriveUnmapped) || !strings.Contains(err.Error(), "--drive Q=") {
			t.Errorf("unmapped drive: %v", err)
		}
		if r, err := d.Root(""); err != nil || r.Name() != "/" {
			t.Errorf("native root: %v", err)
		}
	}
	hp, err := d.HostPath(ops.Path{Drive: "C", Rel: "a/b"})
	if err != nil || hp != filepath.Join(m["C"], "a", "b") {
		t.Errorf("HostPath = %q, %v", hp, err)
	}
}

func TestDrives_Resolve(t *testing.T) {
	skipCaseInsensitive(t)
	d, m := exDrives(t, "C")
	exWrite(t, m["C"], "windows/system/netapi.dll", "x")
	cases := []struct{ in, want string }{
		{"WINDOWS/System/NETAPI.DLL", "windows/system/netapi.dll"},
		{"Windows/SYSTEM/New/File.txt", "windows/system/New/File.txt"},
		{"WINDOWS/system/*.DLL", "windows/system/*.DLL"},
		{"", ""},
	}
	for _, c := range cases {
		got, err := d.Resolve(ops.Path{Drive: "C", Rel: c.in})
		if err != nil || got != (ops.Path{Drive: "C", Rel: c.want}) {
			t.Errorf("Resolve(%q) = %v, %v; want %q", c.in, got, err, c.want)
		}
	}
	exWrite(t, m["C"], "amb/Foo", "1")
	exWrite(t, m["C"], "amb/FOO", "2")
	if _, err := os.Stat(filepath.Join(m["C"], "amb", "foo")); err == nil {
		t.Skip("case-insensitive file system")
	}
	if got, err := d.Resolve(ops.Path{Drive: "C", Rel: "amb/FOO"}); err != nil || got.Rel != "amb/FOO" {
		t.Errorf("exact match: %v %v", got, err)
	}
	if _, err := d.Resolve(ops.Path{Drive: "C", Rel: "amb/foo"}); !errors.Is(err, ErrAmbiguous) {
		t.Errorf("ambiguous: %v", err)
	}
}
