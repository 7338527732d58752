package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The tests of the README's deliberate differences from cmd.exe: what
// smswork does in each case (TestDifferential_CmdExe shows cmd.exe does
// otherwise).

func runBox(t *testing.T, entry string, files map[string]string) (*box, int, string) {
	t.Helper()
	b := newBox(t, "[SMS Work]\r\nPendingWork="+entry+"\r\n", files)
	code, stdout, stderr := b.smswork("run")
	return b, code, stdout + stderr
}

func TestDifference_D1_NoOverwriteFails(t *testing.T) {
	b, code, out := runBox(t, `copy /-y c:\t\x.dll c:\w\old.dll`, map[string]string{"t/x.dll": "new", "w/old.dll": "old"})
	if code != exitFailed || b.read("w/old.dll") != "old" || !strings.Contains(out, "/-y") {
		t.Fatalf("exit %d, old.dll %q\n%s", code, b.read("w/old.dll"), out)
	}
	if !strings.Contains(b.read("SMS.INI"), "copy /-y") {
		t.Error("the entry left the queue")
	}
}

func TestDifference_D2_DelNeverAsks(t *testing.T) {
	files := map[string]string{"t/d/1.txt": "1", "t/d/2.txt": "2", "t/d/sub/3.txt": "3", "u/a": "a", "u/b.x": "b"}
	b, code, out := runBox(t, `del c:\t\d, del c:\u\*.*`, files)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for _, gone := range []string{"t/d/1.txt", "t/d/2.txt", "u/a", "u/b.x"} {
		if b.exists(gone) {
			t.Errorf("%s not deleted", gone)
		}
	}
	if !b.exists("t/d/sub/3.txt") || !b.exists("t/d") || !b.exists("u") {
		t.Error("del removed a folder or what is in a subfolder")
	}
}

func TestDifference_D3_CopyFolderIntoAFileJoins(t *testing.T) {
	b, code, out := runBox(t, `copy c:\t\dirC c:\e\all.txt`, map[string]string{"t/dirC/c1.txt": "c1\n", "t/dirC/c2.txt": "c2\n", "t/dirC/sub/s.txt": "s\n", "e/other.txt": "o"})
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if got := b.read("e/all.txt"); got != "c1\nc2\n\x1a" {
		t.Errorf("all.txt = %q, want the folder's files joined as text", got)
	}
}

func TestDifference_D4_ReadOnlyNotReplaced(t *testing.T) {
	for _, entry := range []string{`copy c:\t\x.dll c:\w\ro.dll`, `move c:\t\x.dll c:\w\ro.dll`} {
		t.Run(entry, func(t *testing.T) {
			b := newBox(t, "[SMS Work]\r\nPendingWork="+entry+"\r\n", map[string]string{"t/x.dll": "new", "w/ro.dll": "old"})
			if err := os.Chmod(filepath.Join(b.c, "w", "ro.dll"), 0o444); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := b.smswork("run")
			if code != exitFailed || b.read("w/ro.dll") != "old" || !b.exists("t/x.dll") || !strings.Contains(stderr+stdout, "read-only") {
				t.Fatalf("exit %d, ro.dll %q\n%s%s", code, b.read("w/ro.dll"), stdout, stderr)
			}
		})
	}
}

func TestDifference_D5_CaseOnlyRename(t *testing.T) {
	b, code, out := runBox(t, `ren c:\w\y.dll Y.DLL`, map[string]string{"w/y.dll": "y"})
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, out)
	}
	ents, err := os.ReadDir(filepath.Join(b.c, "w"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 1 || ents[0].Name() != "Y.DLL" || b.read("w/Y.DLL") != "y" {
		t.Fatalf("w holds %v", ents)
	}
}

func TestDifference_D6_TextDestinationGetsCtrlZ(t *testing.T) {
	b, code, out := runBox(t, `copy c:\t\a.cfg c:\w\a.cfg /a`, map[string]string{"t/a.cfg": "a\x1aA", "w/other": "o"})
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, out)
	}
	if got := b.read("w/a.cfg"); got != "a\x1aA\x1a" {
		t.Errorf("a.cfg = %q, want the whole source and one Ctrl-Z", got)
	}
}

func TestDifference_D7_WindowsRenameRules(t *testing.T) {
	b, code, out := runBox(t, `ren c:\t\a*.txt b*.txt, ren c:\t\a.log ???.x`, map[string]string{"t/a1.txt": "1", "t/a22.txt": "22", "t/a.log": "log"})
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, out)
	}
	for rel, want := range map[string]string{"t/b1.txt": "1", "t/b22.txt": "22", "t/a.x": "log"} {
		if !b.exists(rel) || b.read(rel) != want {
			t.Errorf("%s missing or wrong", rel)
		}
	}
}

// TestDifference_D8_ShortNamesOnNTFS is in ntfs_linux_test.go.
