package main

import (
	"encoding/json"
	"strings"
	"testing"

	"smswork/journal"
)

// TestRun_DeferredCommitFinishedAfterCrash: a file operation whose commit
// marker was deferred to the next transaction, and lost in a crash, is
// finished from its intent by the next run: done once, audited once.
func TestRun_DeferredCommitFinishedAfterCrash(t *testing.T) {
	// Enough entries that SMS.INI is not rewritten after the first one.
	ini := strings.Replace(kbIni, "del c:\\temp\\netapi.dll\r\n", "del c:\\temp\\netapi.dll, md c:\\a, md c:\\b, md c:\\c, md c:\\d, md c:\\e\r\n", 1)
	b := newBox(t, ini, kbFiles)
	// Die just before the second operation's intent, which would carry
	// the first one's commit.
	code, _, _ := b.smsworkEnv([]string{"SMSWORK_FAILPOINT=op.before-intent:2"}, "run")
	if code != -1 {
		t.Fatalf("exit %d, want killed", code)
	}
	if b.read("windows/system/netapi.dll") != "new netapi\n" || b.read("SMS.INI") != ini {
		t.Fatal("the copy should be done and SMS.INI unchanged (it must not lead the journal)")
	}
	if code, _, stderr := b.smswork("run"); code != 0 {
		t.Fatalf("recovery: exit %d %s", code, stderr)
	}
	if b.read("SMS.INI") != kbDone || b.exists("temp/netapi.dll") {
		t.Fatal("queue not finished")
	}
	_, out, _ := b.smswork("history", "--json", "--oldest-first")
	var recs []journal.Record
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r journal.Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		recs = append(recs, r)
	}
	if len(recs) != 7 || recs[0].Interrupted != 1 || recs[0].Outcome == "failed" {
		t.Fatalf("records: %+v", recs)
	}
}
