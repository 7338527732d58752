package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"smswork/journal"
)

// kbIni is the KB139086 example exactly as printed (CRLF, the value
// continued after a trailing comma) inside a file with other sections.
const kbIni = "; client\r\n[SMS]\r\nSiteCode=S01\r\n\r\n[SMS Work]\r\n" +
	"PendingWork=copy c:\\temp\\netapi.dll c:\\windows\\system\\netapi.dll /y,\r\n" +
	"del c:\\temp\\netapi.dll\r\n" +
	"[After]\r\nx = 1\r\n"

// kbDone is kbIni once the queue has run: only the value changed.
const kbDone = "; client\r\n[SMS]\r\nSiteCode=S01\r\n\r\n[SMS Work]\r\n" +
	"PendingWork=\r\n" +
	"[After]\r\nx = 1\r\n"

var kbFiles = map[string]string{
	"temp/netapi.dll":           "new netapi\n",
	"windows/system/netapi.dll": "old netapi\n",
}

func TestRun_KBExample(t *testing.T) {
	b := newBox(t, kbIni, kbFiles)
	code, out, stderr := b.smswork("plan")
	if code != 0 || !strings.Contains(out, "copy") || !strings.Contains(out, "overwrite") ||
		!strings.Contains(out, filepath.Join(b.c, "windows", "system", "netapi.dll")) || !strings.Contains(out, "del") {
		t.Fatalf("plan: exit %d\n%s%s", code, out, stderr)
	}
	if got := b.read("SMS.INI"); got != kbIni {
		t.Fatalf("plan changed SMS.INI")
	}
	code, out, stderr = b.smswork("run")
	if code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
	}
	if got := b.read("windows/system/netapi.dll"); got != "new netapi\n" {
		t.Errorf("netapi.dll holds %q", got)
	}
	if b.exists("temp/netapi.dll") {
		t.Error("the temporary copy is still there")
	}
	if got := b.read("SMS.INI"); got != kbDone {
		t.Errorf("SMS.INI after run:\n%q\nwant\n%q", got, kbDone)
	}
	// A second run has nothing to do and changes nothing.
	code, _, _ = b.smswork("run")
	if code != 0 || b.read("SMS.INI") != kbDone {
		t.Errorf("second run: exit %d", code)
	}
	code, out, _ = b.smswork("verify")
	if code != 0 {
		t.Errorf("verify: exit %d: %s", code, out)
	}
	code, out, _ = b.smswork("history", "--json")
	if code != 0 || strings.Count(out, "\n") != 2 || !strings.Contains(out, `"outcome":"done"`) {
		t.Errorf("history: exit %d\n%s", code, out)
	}
}

func TestRun_FailureStopsQueue(t *testing.T) {
	files := map[string]string{"windows/system/netapi.dll": "old\n"}
	b := newBox(t, kbIni, files)
	if err := os.MkdirAll(filepath.Join(b.c, "temp"), 0o755); err != nil {
		t.Fatal(err)
	}
	// The del would run were the queue not stopped: give it a file.
	code, out, stderr := b.smswork("run")
	if code != 1 {
		t.Fatalf("run with a failing copy: exit %d, want 1\n%s%s", code, out, stderr)
	}
	if got := b.read("SMS.INI"); got != kbIni {
		t.Errorf("both entries must stay, byte for byte:\n%q", got)
	}
	if got := b.read("windows/system/netapi.dll"); got != "old\n" {
		t.Errorf("target changed: %q", got)
	}
	// Once the file is there, the next boot finishes the job.
	if err := os.WriteFile(filepath.Join(b.c, "temp", "netapi.dll"), []byte("late\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = b.smswork("run")
	if code != 0 || b.read("SMS.INI") != kbDone || b.read("windows/system/netapi.dll") != "late\n" {
		t.Fatalf("retry: exit %d %s", code, stderr)
	}
	code, out, _ = b.smswork("history", "--json", "--outcome", "failed")
	if code != 0 || !strings.Contains(out, `"stillQueued":true`) {
		t.Errorf("the failed attempt is not in the audit: %s", out)
	}
}

func TestRun_ContinueOnError(t *testing.T) {
	b := newBox(t, "[SMS Work]\nPendingWork=del c:\\x, copy c:\\missing c:\\y, md c:\\z\n", map[string]string{"x": "x"})
	code, out, stderr := b.smswork("run", "--on-error=continue")
	if code != exitFailed || !b.exists("z") || b.exists("x") {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	if got := b.read("SMS.INI"); got != "[SMS Work]\nPendingWork=\n" {
		t.Errorf("SMS.INI: %q", got)
	}
}

// TestRun_AppendDuringRun: an entry added while run runs (here by a run
// operation that calls smswork add) is run after the current ones, once.
func TestRun_AppendDuringRun(t *testing.T) {
	b := newBox(t, "", nil)
	script := filepath.Join(b.dir, "add.sh")
	body := fmt.Sprintf("#!/bin/sh\nexec %q --ini %q --drive C=%s add 'md c:\\added' 'copy c:\\a.txt c:\\added'\n", binPath, b.ini, b.c)
	if err := os.WriteFile(script, []byte(body), 0o755); err != nil {
		t.Fatal(err)
	}
	ini := fmt.Sprintf("[SMS Work]\r\nPendingWork=sh %s, md c:\\first\r\n", script)
	if err := os.WriteFile(b.ini, []byte(ini), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(b.c, "a.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := b.smswork("run")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	if !b.exists("first") || b.read("added/a.txt") != "a" {
		t.Fatal("appended entries did not run")
	}
	if got := b.read("SMS.INI"); got != "[SMS Work]\r\nPendingWork=\r\n" {
		t.Errorf("SMS.INI: %q", got)
	}
	_, out, _ = b.smswork("history", "--json", "--oldest-first")
	var raws []string
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var r journal.Record
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		raws = append(raws, r.Raw)
	}
	want := []string{"sh " + script, `md c:\first`, `md c:\added`, `copy c:\a.txt c:\added`}
	if strings.Join(raws, "|") != strings.Join(want, "|") {
		t.Errorf("ran %q, want %q", raws, want)
	}
}

func TestRun_SecondInstanceExits75(t *testing.T) {
	b := newBox(t, kbIni, kbFiles)
	j, err := journal.Open(b.journal, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	code, _, stderr := b.smswork("run")
	if code != 75 || !strings.Contains(stderr, "another smswork") {
		t.Fatalf("exit %d, want 75: %s", code, stderr)
	}
	if b.read("SMS.INI") != kbIni {
		t.Error("SMS.INI changed")
	}
}

func TestPlan_BadInput(t *testing.T) {
	ini := "[SMS Work]\nPendingWork=copy c:\\a c:\\b /x, del temp\\relative, md c:\\ok\n"
	b := newBox(t, ini, nil)
	for _, cmd := range []string{"plan", "run"} {
		code, out, stderr := b.smswork(cmd)
		if code != 2 {
			t.Fatalf("%s: exit %d, want 2\n%s%s", cmd, code, out, stderr)
		}
		// file:line:col of each bad entry, its position and text.
		for _, want := range []string{b.ini + ":2:28: entry 1", `"/x"`, b.ini + ":2:36: entry 2", `"del temp\relative"`} {
			if !strings.Contains(stderr, want) {
				t.Errorf("%s: message lacks %q:\n%s", cmd, want, stderr)
			}
		}
		if b.read("SMS.INI") != ini || b.exists("ok") {
			t.Errorf("%s changed something", cmd)
		}
	}
	bad := "PendingWork=del c:\\x\n[SMS Work]\n"
	b = newBox(t, bad, nil)
	code, _, stderr := b.smswork("plan")
	if code != 2 || !strings.Contains(stderr, b.ini+":1:1") || b.read("SMS.INI") != bad {
		t.Errorf("key outside a section: exit %d %s", code, stderr)
	}
}

func TestAdd_ValidatesAll(t *testing.T) {
	b := newBox(t, kbIni, nil)
	code, _, stderr := b.smswork("add", `md c:\new`, `copy c:\a relative`)
	if code != 2 || b.read("SMS.INI") != kbIni {
		t.Fatalf("bad add: exit %d %s", code, stderr)
	}
	code, _, stderr = b.smswork("add", `md c:\new`, `del c:\a, del c:\b`)
	if code != 0 {
		t.Fatalf("add: exit %d %s", code, stderr)
	}
	// The value (continuation line included) is rewritten on one line;
	// every other byte stays.
	want := strings.Replace(kbIni, "/y,\r\ndel c:\\temp\\netapi.dll\r\n", "/y, del c:\\temp\\netapi.dll, md c:\\new, del c:\\a, del c:\\b\r\n", 1)
	if got := b.read("SMS.INI"); got != want {
		t.Errorf("SMS.INI after add:\n%q\nwant\n%q", got, want)
	}
}

// TestAdd_Concurrent runs 50 smswork add processes at once on one file:
// every entry ends in it exactly once.
func TestAdd_Concurrent(t *testing.T) {
	b := newBox(t, kbIni, nil)
	var wg sync.WaitGroup
	codes := make([]int, 50)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i], _, _ = b.smswork("add", fmt.Sprintf(`md c:\dir%d`, i))
		}()
	}
	wg.Wait()
	got := b.read("SMS.INI")
	for i, c := range codes {
		if c != 0 {
			t.Errorf("add %d: exit %d", i, c)
		}
		if n := strings.Count(got, fmt.Sprintf(`md c:\dir%d,`, i)) + strings.Count(got, fmt.Sprintf("md c:\\dir%d\r", i)); n != 1 {
			t.Errorf("entry %d is in SMS.INI %d times", i, n)
		}
	}
}

// TestRun_TouchForms: DOS's touch, in each written form, is one entry that
// sets the file's time, and the entry after it runs too.
func TestRun_TouchForms(t *testing.T) {
	ini := "[SMS Work]\nPendingWork=copy /b c:\\a.txt+,,, copy c:\\b.txt +,,, md c:\\after\n"
	b := newBox(t, ini, map[string]string{"a.txt": "a", "b.txt": "b"})
	old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, f := range []string{"a.txt", "b.txt"} {
		if err := os.Chtimes(filepath.Join(b.c, f), old, old); err != nil {
			t.Fatal(err)
		}
	}
	if code, out, stderr := b.smswork("run"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, stderr)
	}
	for _, f := range []string{"a.txt", "b.txt"} {
		st, err := os.Stat(filepath.Join(b.c, f))
		if err != nil || !st.ModTime().After(old) {
			t.Errorf("%s not touched: %v", f, err)
		}
	}
	if !b.exists("after") || b.read("SMS.INI") != "[SMS Work]\nPendingWork=\n" {
		t.Error("queue not finished")
	}
}
