package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// heldBox queues a run operation that bumps a counter, then an md.
func heldBox(t *testing.T) (*box, string) {
	b := newBox(t, "", nil)
	counter := filepath.Join(b.dir, "counter")
	ini := fmt.Sprintf("[SMS Work]\nPendingWork=sh -c \"echo x >> %s\", md c:\\after\n", counter)
	if err := os.WriteFile(b.ini, []byte(ini), 0o644); err != nil {
		t.Fatal(err)
	}
	return b, counter
}

func lines(t *testing.T, path string) int {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return 0
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(data), "\n")
}

func TestRun_InterruptedHoldThenResolve(t *testing.T) {
	for _, decision := range []string{"skip", "rerun"} {
		t.Run(decision, func(t *testing.T) {
			b, counter := heldBox(t)
			ini := b.read("SMS.INI")
			code, _, _ := b.smsworkEnv([]string{"SMSWORK_FAILPOINT=run.before-start"}, "run")
			if code != -1 {
				t.Fatalf("the failpoint did not kill the run: exit %d", code)
			}
			code, _, stderr := b.smswork("run", "--interrupted=hold")
			if code != 3 || !strings.Contains(stderr, "held") {
				t.Fatalf("run --interrupted=hold: exit %d, want 3: %s", code, stderr)
			}
			if b.read("SMS.INI") != ini || b.exists("after") || lines(t, counter) != 0 {
				t.Fatal("a held operation must keep itself and what follows queued")
			}
			code, out, _ := b.smswork("status")
			if code != 3 || !strings.Contains(out, "smswork resolve 1") {
				t.Fatalf("status: exit %d\n%s", code, out)
			}
			if code, _, stderr := b.smswork("resolve", "1", decision); code != 0 {
				t.Fatalf("resolve: exit %d %s", code, stderr)
			}
			if code, _, stderr := b.smswork("run", "--interrupted=hold"); code != 0 {
				t.Fatalf("run after resolve: exit %d %s", code, stderr)
			}
			want := map[string]int{"skip": 0, "rerun": 1}[decision]
			if got := lines(t, counter); got != want || !b.exists("after") {
				t.Fatalf("after %s: counter %d, want %d", decision, got, want)
			}
			_, out, _ = b.smswork("history", "--oldest-first")
			for _, s := range []string{"held", map[string]string{"skip": "skipped", "rerun": "done"}[decision], decision + " by "} {
				if !strings.Contains(out, s) {
					t.Errorf("history lacks %q:\n%s", s, out)
				}
			}
		})
	}
}

// TestRun_MaxAttempts: an operation that takes the machine down every time
// is held after --max-attempts interruptions, whatever the policy.
func TestRun_MaxAttempts(t *testing.T) {
	b, counter := heldBox(t)
	for i := 1; i <= 3; i++ {
		code, _, _ := b.smsworkEnv([]string{"SMSWORK_FAILPOINT=op.after-intent"}, "run")
		if code != -1 {
			t.Fatalf("crash %d: exit %d", i, code)
		}
	}
	code, _, stderr := b.smswork("run")
	if code != 3 || !strings.Contains(stderr, "interrupted 3 times") {
		t.Fatalf("exit %d, want 3: %s", code, stderr)
	}
	if lines(t, counter) != 0 || b.exists("after") {
		t.Fatal("held operation ran")
	}
}

// TestRun_InterruptedRerun: by default an interrupted run operation runs
// again, and the audit says it was interrupted.
func TestRun_InterruptedRerun(t *testing.T) {
	b, counter := heldBox(t)
	code, _, _ := b.smsworkEnv([]string{"SMSWORK_FAILPOINT=op.before-commit"}, "run")
	if code != -1 || lines(t, counter) != 1 {
		t.Fatalf("crash: exit %d, counter %d", code, lines(t, counter))
	}
	if code, _, stderr := b.smswork("run"); code != 0 {
		t.Fatalf("exit %d %s", code, stderr)
	}
	if lines(t, counter) != 2 || !b.exists("after") {
		t.Fatalf("counter %d, want 2 (at least once)", lines(t, counter))
	}
	_, out, _ := b.smswork("history", "--json")
	if !strings.Contains(out, `"interrupted":1`) {
		t.Errorf("audit does not say interrupted:\n%s", out)
	}
}
