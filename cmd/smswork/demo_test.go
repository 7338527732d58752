package main

import (
	"strings"
	"testing"
)

// TestDemo runs the README's first command the way a newcomer does: the
// demo must finish the KB example in its sandbox and show the story.
func TestDemo(t *testing.T) {
	dir := t.TempDir()
	b := &box{t: t, dir: dir}
	code, out, stderr := b.plain("demo", "--dir", dir)
	if code != 0 {
		t.Fatalf("demo: exit %d\n%s%s", code, out, stderr)
	}
	for _, want := range []string{
		"PendingWork=copy c:\\temp\\netapi.dll c:\\windows\\system\\netapi.dll /y,", // before, as the KB prints it
		"overwrite",                  // the plan
		"PendingWork=\n",             // after
		"NETAPI.DLL version 2 (new)", // the new DLL in place
		"batch 2 rolled back: 2 operation(s) undone; it was dropped from the queue",
		"netapi.dll still holds: NETAPI.DLL version 2 (new)", // the rollback put it back
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q:\n%s", want, out)
		}
	}
	// The audit trail shows every entry done, the temporary copy's del too.
	audited := false
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, " done ") && strings.HasSuffix(line, `del c:\temp\netapi.dll`) {
			audited = true
		}
	}
	if !audited || strings.Contains(out, "failed") {
		t.Errorf("the audit trail does not show the del done:\n%s", out)
	}
	if n := strings.Count(out, "\n"); n > 60 {
		t.Errorf("demo prints %d lines: more than a screenful", n)
	}
}
