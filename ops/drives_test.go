package ops

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
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
	hp, err := d.HostPath(Path{Drive: "C", Rel: "a/b"})
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
		got, err := d.Resolve(Path{Drive: "C", Rel: c.in})
		if err != nil || got != (Path{Drive: "C", Rel: c.want}) {
			t.Errorf("Resolve(%q) = %v, %v; want %q", c.in, got, err, c.want)
		}
	}
	exWrite(t, m["C"], "amb/Foo", "1")
	exWrite(t, m["C"], "amb/FOO", "2")
	if _, err := os.Stat(filepath.Join(m["C"], "amb", "foo")); err == nil {
		t.Skip("case-insensitive file system")
	}
	if got, err := d.Resolve(Path{Drive: "C", Rel: "amb/FOO"}); err != nil || got.Rel != "amb/FOO" {
		t.Errorf("exact match: %v %v", got, err)
	}
	if _, err := d.Resolve(Path{Drive: "C", Rel: "amb/foo"}); !errors.Is(err, ErrAmbiguous) {
		t.Errorf("ambiguous: %v", err)
	}
}

// TestExecutor_SymlinkEscape checks that no operation reads, writes,
// creates or deletes outside a drive through a symbolic link inside it,
// absolute or relative, whether the intent comes from Prepare or is forged.
func TestExecutor_SymlinkEscape(t *testing.T) {
	skipUnderWine(t, "Wine's symbolic links are Unix links, not reparse points, so what is refused differs (nothing outside the drive is touched either way)")
	e, m := exNew(t)
	c := m["C"]
	outside := filepath.Join(filepath.Dir(c), "outside")
	secret := exWrite(t, outside, "secret.txt", "secret")
	exWrite(t, c, "a.txt", "inside")
	if err := os.Symlink(outside, filepath.Join(c, "abs")); err != nil {
		t.Skipf("no symbolic links: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(c, "sub", "deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../outside", filepath.Join(c, "sub", "deeper", "rel")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(c, "secretlink")); err != nil {
		t.Fatal(err)
	}
	before := exSnap(t, outside)
	links := []string{"abs", "sub/deeper/rel"}
	var ops []*Op
	for _, l := range links {
		ops = append(ops,
			&Op{Kind: KindCopy, Src: exC(l + "/secret.txt"), Dst: exC("stolen.txt")},
			&Op{Kind: KindCopy, Src: exC("a.txt"), Dst: exC(l + "/secret.txt")},
			&Op{Kind: KindCopy, Src: exC("a.txt"), Dst: exC(l)},
			&Op{Kind: KindCopy, Src: exC(l + "/*.*"), Dst: exC("sub")},
			&Op{Kind: KindDel, Src: exC(l + "/secret.txt")},
			&Op{Kind: KindDel, Src: exC(l + "/*.txt")},
			&Op{Kind: KindMove, Src: exC(l + "/secret.txt"), Dst: exC("stolen.txt")},
			&Op{Kind: KindMove, Src: exC("a.txt"), Dst: exC(l + "/new.txt")},
			&Op{Kind: KindMD, Src: exC(l + "/newdir")},
			&Op{Kind: KindRD, Src: exC(l), Recursive: true},
			&Op{Kind: KindCopy, Src: exC(l + "/secret.txt"), Touch: true},
		)
	}
	ops = append(ops, &Op{Kind: KindCopy, Src: exC("secretlink"), Dst: exC("stolen.txt")})
	for _, op := range ops {
		name := string(op.Kind) + " " + op.Src.String() + " " + op.Dst.String()
		// Through Prepare.
		if in, err := e.Prepare(op, 1); err == nil {
			if res := e.Execute(context.Background(), op, in, nil); res.Outcome != Failed {
				t.Errorf("%s: %s", name, res.Outcome)
			}
		}
		// With a forged intent, bypassing Prepare's checks. (A copy onto
		// the link itself would replace the link, inside the drive.)
		if op.Dst == exC(links[0]) || op.Dst == exC(links[1]) {
			continue
		}
		in := &Intent{Items: []Item{{Src: op.Src, Dst: op.Dst, Temp: TempName(1, 0), SrcExists: true}}}
		if op.Kind == KindRD || op.Kind == KindMD || op.Touch {
			in.Items[0].Dst = Path{}
		}
		if res := e.Execute(context.Background(), op, in, nil); res.Outcome == Done {
			t.Errorf("%s with a forged intent: %s", name, res.Outcome)
		}
	}
	exDiff(t, "outside", exSnap(t, outside), before)
	if exExists(c, "stolen.txt") {
		t.Error("a file outside was copied in")
	}
}
