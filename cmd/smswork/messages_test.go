package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestUsage_AlwaysExit2 (problem 7): every usage error exits 2, whoever
// catches it: a flag cobra does not know, a missing or extra argument, an
// unknown command, a bad flag value.
func TestUsage_AlwaysExit2(t *testing.T) {
	b := newBox(t, "", nil)
	for _, args := range [][]string{
		{"resolve", "1"},
		{"resolve", "1", "maybe"},
		{"bogus"},
		{"plan", "extra"},
		{"undo"},
		{"--nope", "status"},
		{"run", "--max-attempts", "x"},
		{"run", "--on-error", "ignore"},
		{"history", "--limit", "-1"},
		{"add"},
	} {
		code, out, stderr := b.smswork(args...)
		if code != exitUsage {
			t.Errorf("%q: exit %d, want %d\n%s%s", args, code, exitUsage, out, stderr)
		}
	}
}

// TestIni_Folder (problem 7): an SMS.INI that is a folder is bad input
// (exit 2), not a failed operation (1).
func TestIni_Folder(t *testing.T) {
	b := newBox(t, "", nil)
	dir := filepath.Join(b.c, "SMS.DIR")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"run", "plan", "status", "verify"} {
		code, out, stderr := b.exec(nil, []string{"--ini", dir, "--journal", b.journal, "--drive", "C=" + b.c, cmd})
		if code != exitUsage || !strings.Contains(stderr, "is a folder") {
			t.Errorf("%s with SMS.INI a folder: exit %d, want %d\n%s%s", cmd, code, exitUsage, out, stderr)
		}
	}
}

// TestUndo_PartialNothing (problem 7): undo --partial of a batch whose
// last operation cannot be undone would undo nothing: it is refused (exit
// 2) and the batch is left as it was, not used up.
func TestUndo_PartialNothing(t *testing.T) {
	b := newBox(t, "[SMS Work]\nPendingWork=md c:\\a, sh -c true\n", nil)
	if code, _, stderr := b.smswork("run"); code != 0 {
		t.Fatalf("run: exit %d %s", code, stderr)
	}
	for i := 0; i < 2; i++ {
		code, out, stderr := b.smswork("undo", "1", "--partial")
		if code != exitUsage || !strings.Contains(stderr, "nothing to undo") {
			t.Fatalf("undo --partial #%d: exit %d, want %d and \"nothing to undo\"\n%s%s", i+1, code, exitUsage, out, stderr)
		}
	}
	if !b.exists("a") {
		t.Error("the md was undone")
	}
	for _, r := range b.historyJSON() {
		if r.Outcome == "undone" {
			t.Errorf("an undone record: %+v", r)
		}
	}
}

// TestMessages_EntriesAsWritten (problem 7): errors print an entry as it
// is written (c:\temp, not Go's "c:\\temp"); a long one is cut and its
// length said, and a long entry is not printed twice.
func TestMessages_EntriesAsWritten(t *testing.T) {
	b := newBox(t, "[SMS Work]\nPendingWork=del c:\\temp\\x.dll /z\n", nil)
	_, _, stderr := b.smswork("plan")
	if !strings.Contains(stderr, `"del c:\temp\x.dll /z"`) || strings.Contains(stderr, `\\`) {
		t.Errorf("plan's error does not print the entry as written:\n%s", stderr)
	}
	_, _, stderr = b.smswork("add", `copy c:\temp\a.dll c:\windows\a.dll /q`)
	if !strings.Contains(stderr, `"copy c:\temp\a.dll c:\windows\a.dll /q"`) || strings.Contains(stderr, `\\`) {
		t.Errorf("add's error does not print the entry as written:\n%s", stderr)
	}
	long := `md c:\` + strings.Repeat(`a\`, 5000)
	if err := os.WriteFile(b.ini, []byte("[SMS Work]\nPendingWork="+long+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := b.smswork("plan")
	if code != exitUsage || len(stderr) > 2000 || !strings.Contains(stderr, "("+strconv.Itoa(len(long))+" bytes)") {
		t.Errorf("plan of a %d-byte entry: exit %d, %d bytes of error, want it cut with its length:\n%.3000s", len(long), code, len(stderr), stderr)
	}
	huge := `md c:\` + strings.Repeat("a", 40000)
	code, _, stderr = b.smswork("add", huge)
	if code != exitUsage || len(stderr) > 2000 || !strings.Contains(stderr, "("+strconv.Itoa(len(huge))+" bytes)") {
		t.Errorf("add of a %d-byte entry: exit %d, %d bytes of error, want it cut with its length:\n%.3000s", len(huge), code, len(stderr), stderr)
	}
}

// TestAdd_NumbersLikePlan (problem 7): add numbers entries by their
// position in the queue, as plan does, not by argument.
func TestAdd_NumbersLikePlan(t *testing.T) {
	b := newBox(t, "[SMS Work]\nPendingWork=md c:\\one, md c:\\two\n", nil)
	code, _, stderr := b.smswork("add", `md c:\ok`, `del c:\x /z`)
	if code != exitUsage || !strings.Contains(stderr, `entry 4 "del c:\x /z"`) {
		t.Errorf("add: exit %d, want %d and the entry numbered 4, its place in the queue:\n%s", code, exitUsage, stderr)
	}
	code, out, stderr := b.smswork("add", `md c:\ok`, `sh -c true`)
	if code != 0 || !strings.Contains(out, "note: entry 4 (sh -c true) cannot be undone") {
		t.Errorf("add: exit %d, want the note to number the entry 4:\n%s%s", code, out, stderr)
	}
	_, out, _ = b.smswork("plan")
	if !strings.Contains(out, "  4  run") {
		t.Errorf("plan does not number it 4:\n%s", out)
	}
}

// TestIni_UnterminatedQuoteHidesNothing (problem 7): an unterminated
// quote is reported with every other bad entry before it, not alone.
func TestIni_UnterminatedQuoteHidesNothing(t *testing.T) {
	b := newBox(t, "[SMS Work]\nPendingWork=del c:\\x /z, md c:\\y /q, copy \"c:\\a c:\\b\n", nil)
	for _, cmd := range []string{"plan", "run"} {
		code, _, stderr := b.smswork(cmd)
		for _, want := range []string{`entry 1 "del c:\x /z"`, `entry 2 "md c:\y /q"`, "unterminated double quote"} {
			if code != exitUsage || !strings.Contains(stderr, want) {
				t.Errorf("%s: exit %d, want %d and %q:\n%s", cmd, code, exitUsage, want, stderr)
			}
		}
	}
}

// TestHelp_ExitCodes (problem 7): every exit status of the one table in
// main.go is listed in --help and in the README.
func TestHelp_ExitCodes(t *testing.T) {
	b := newBox(t, "", nil)
	_, help, _ := b.plain("--help")
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range exitCodes() {
		if !strings.Contains(help, "\n  "+strconv.Itoa(c.code)+" ") {
			t.Errorf("--help does not list exit status %d", c.code)
		}
		if !strings.Contains(string(readme), "\n| "+strconv.Itoa(c.code)+" |") {
			t.Errorf("the README does not list exit status %d", c.code)
		}
	}
}
