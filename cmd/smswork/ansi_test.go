package main

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRun_ANSIEntries: entries in an old ANSI code page (bytes that are not
// UTF-8) name their files byte for byte, run once, and leave SMS.INI's
// other ANSI bytes as they were, across runs and a crash.
func TestRun_ANSIEntries(t *testing.T) {
	ini := "; caf\xe9\r\n[SMS Work]\r\nPendingWork=copy c:\\temp\\caf\xe9.dll c:\\caf\xe9.dll, md c:\\r\xe9sum\xe9, del c:\\temp\\caf\xe9.dll, md c:\\a, md c:\\b, md c:\\c\r\n"
	done := "; caf\xe9\r\n[SMS Work]\r\nPendingWork=\r\n"
	b := newBox(t, ini, map[string]string{"temp/caf\xe9.dll": "latin-1 name\n"})
	// Crash after the first operation, so that recovery must recognise
	// the ANSI entries in SMS.INI against the journal.
	if code, _, _ := b.smsworkEnv([]string{"SMSWORK_FAILPOINT=op.before-intent:3"}, "run"); code != -1 {
		t.Fatalf("exit %d, want killed", code)
	}
	if code, _, stderr := b.smswork("run"); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if got := b.read("caf\xe9.dll"); got != "latin-1 name\n" {
		t.Errorf("copy: %q", got)
	}
	if st, err := os.Stat(filepath.Join(b.c, "r\xe9sum\xe9")); err != nil || !st.IsDir() {
		t.Errorf("md: %v", err)
	}
	if b.exists("temp/caf\xe9.dll") {
		t.Error("del did not remove the ANSI-named file")
	}
	if got := b.read("SMS.INI"); got != done {
		t.Errorf("SMS.INI: %q", got)
	}
	if code, out, _ := b.smswork("history", "--json"); code != 0 || len(out) == 0 {
		t.Errorf("history: %d", code)
	}
	if code, out, _ := b.smswork("verify"); code != 0 {
		t.Errorf("verify: %d %s", code, out)
	}
}
