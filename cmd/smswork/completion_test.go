package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"smswork/journal"
)

// complete runs cobra's hidden __complete command, as the shell scripts
// do, and returns the values offered (descriptions cut) and the directive.
func complete(t *testing.T, args ...string) ([]string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := run(context.Background(), append([]string{"__complete"}, args...), &out, &errb); code != 0 {
		t.Fatalf("__complete %q: exit %d\n%s", args, code, errb.String())
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	directive := lines[len(lines)-1]
	return lines[:len(lines)-1], directive
}

func names(values []string) []string {
	var out []string
	for _, v := range values {
		name, _, _ := strings.Cut(v, "\t")
		out = append(out, name)
	}
	return out
}

func TestCompletion_FlagValues(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--log-format", ""}, "console json"},
		{[]string{"status", "--log-format", ""}, "console json"},
		{[]string{"run", "--interrupted", ""}, "rerun hold"},
		{[]string{"run", "--on-error", ""}, "stop continue"},
		{[]string{"run", "--on-rollback", ""}, "keep drop"},
		{[]string{"add", "--on-rollback", ""}, "keep drop"},
		{[]string{"history", "--outcome", ""}, strings.Join(historyOutcomes, " ")},
		{[]string{"resolve", "1", ""}, "rerun skip"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			values, directive := complete(t, tt.args...)
			if got := strings.Join(names(values), " "); got != tt.want || directive != ":4" {
				t.Fatalf("offered %q (directive %s), want %q and :4 (no file names)", got, directive, tt.want)
			}
		})
	}
}

func TestCompletion_HeldIDs(t *testing.T) {
	b, _ := heldBox(t)
	if code, _, _ := b.smsworkEnv([]string{"SMSWORK_FAILPOINT=run.before-start"}, "run"); code != -1 {
		t.Fatalf("the failpoint did not kill the run: exit %d", code)
	}
	if code, _, stderr := b.smswork("run", "--interrupted=hold"); code != 3 {
		t.Fatalf("run --interrupted=hold: exit %d %s", code, stderr)
	}
	flags := []string{"--ini", b.ini, "--journal", b.journal}
	values, _ := complete(t, append(flags, "resolve", "")...)
	if len(values) != 1 || !strings.HasPrefix(values[0], "1\tsh -c ") {
		t.Fatalf("resolve offers %q, want operation 1 and its entry", values)
	}
	if values, _ := complete(t, append(flags, "resolve", "2")...); len(values) != 0 {
		t.Fatalf("resolve 2<TAB> offers %q, want nothing", values)
	}
	if values, _ := complete(t, append(flags, "resolve", "1", "skip", "")...); len(values) != 0 {
		t.Fatalf("a third argument offers %q", values)
	}
}

func TestCompletion_Batches(t *testing.T) {
	b := newBox(t, "[SMS Work]\nPendingWork=md c:\\x\n", nil)
	if code, _, stderr := b.smswork("run"); code != 0 {
		t.Fatalf("run: exit %d %s", code, stderr)
	}
	if code, _, stderr := b.smswork("add", `copy c:\missing.dll c:\y.dll`); code != 0 {
		t.Fatalf("add: exit %d %s", code, stderr)
	}
	if code, _, stderr := b.smswork("run"); code != 1 {
		t.Fatalf("run of a failing copy: exit %d %s", code, stderr)
	}
	flags := []string{"--ini", b.ini, "--journal", b.journal}
	// Batch 2 has not finished: undo cannot take it, history can.
	values, directive := complete(t, append(flags, "undo", "")...)
	if got := strings.Join(names(values), " "); got != "1" || directive != ":4" || !strings.Contains(values[0], "1 entry, ") {
		t.Fatalf("undo offers %q (%s), want batch 1 alone, described", values, directive)
	}
	values, _ = complete(t, append(flags, "history", "--batch", "")...)
	if got := strings.Join(names(values), " "); got != "2 1" {
		t.Fatalf("history --batch offers %q, want 2 1 (newest first)", got)
	}
	if values, _ := complete(t, append(flags, "history", "--batch", "2")...); strings.Join(names(values), " ") != "2" {
		t.Fatalf("history --batch 2<TAB> offers %q", values)
	}
	if values, _ := complete(t, append(flags, "undo", "1", "")...); len(values) != 0 {
		t.Fatalf("a second argument of undo offers %q", values)
	}
}

// TestCompletion_JournalHeldOrMissing: while a run holds the journal, or
// when there is none, completion offers nothing, at once, and succeeds.
func TestCompletion_JournalHeldOrMissing(t *testing.T) {
	b := newBox(t, "[SMS Work]\nPendingWork=md c:\\x\n", nil)
	flags := []string{"--ini", b.ini, "--journal", b.journal}
	if values, directive := complete(t, append(flags, "undo", "")...); len(values) != 0 || directive != ":4" {
		t.Fatalf("no journal: offers %q (%s)", values, directive)
	}
	if code, _, stderr := b.smswork("run"); code != 0 {
		t.Fatalf("run: exit %d %s", code, stderr)
	}
	if values, _ := complete(t, append(flags, "undo", "")...); len(values) != 1 {
		t.Fatalf("before the journal is held: offers %q, want batch 1", values)
	}
	j, err := journal.Open(b.journal, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = j.Close() }()
	for _, args := range [][]string{{"undo", ""}, {"resolve", ""}, {"history", "--batch", ""}} {
		done := make(chan []string, 1)
		go func() {
			var out, errb bytes.Buffer
			code := run(context.Background(), append(append([]string{"__complete"}, flags...), args...), &out, &errb)
			done <- []string{fmt.Sprint(code), out.String()}
		}()
		select {
		case r := <-done:
			if r[0] != "0" || r[1] != ":4\n" {
				t.Fatalf("%q while the journal is held: exit %s, output %q, want nothing offered", args, r[0], r[1])
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%q blocks while a run holds the journal", args)
		}
	}
}
