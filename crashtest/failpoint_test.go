package crashtest

import (
	"fmt"
	"testing"
)

// failpoints are the product's named crash points, in an operation's life
// and in SMS.INI's rewrite.
var failpoints = []string{
	"op.before-intent", "op.after-intent", "op.after-backup", "op.before-commit", "op.after-commit",
	"mirror.before-write", "mirror.before-rename", "mirror.after-write",
	"copy.before-temp", "copy.mid-write", "copy.before-rename", "copy.after-rename",
	"del.before-remove", "del.before-sync",
	"move.before-rename", "move.after-rename", "move.after-copy", "move.before-delete",
	"md.before-mkdir", "rd.before-remove", "run.before-start",
}

// crashThenRecover kills a run at spec, checks the crashed state, runs
// again to completion (under recoverEnv, which may crash it again) and
// checks the result. It reports whether the crash point was reached.
func crashThenRecover(t *testing.T, ref *Expected, spec string, recoverSpec string) bool {
	t.Helper()
	s, w := newSandbox(t)
	o, err := s.Run([]string{"SMSWORK_FAILPOINT=" + spec}, "run")
	if err != nil {
		t.Fatal(err)
	}
	if !o.Killed {
		if o.Code != 0 {
			t.Fatalf("%s: run exit %d without a crash: %s", spec, o.Code, o.Stderr)
		}
		return false
	}
	for _, v := range CheckCrashed(s, w) {
		t.Errorf("after crash at %s: %s", spec, v)
	}
	if recoverSpec != "" {
		o, err := s.Run([]string{"SMSWORK_FAILPOINT=" + recoverSpec}, "run")
		if err != nil {
			t.Fatal(err)
		}
		if o.Killed {
			for _, v := range CheckCrashed(s, w) {
				t.Errorf("after crash at %s then %s: %s", spec, recoverSpec, v)
			}
		}
	}
	o, err = s.Run(nil, "run")
	if err != nil {
		t.Fatal(err)
	}
	if o.Code != 0 {
		t.Errorf("recovery after %s/%s: exit %d: %s", spec, recoverSpec, o.Code, o.Stderr)
	}
	for _, v := range CheckRecovered(s, w, ref) {
		t.Errorf("after crash at %s/%s and recovery: %s", spec, recoverSpec, v)
	}
	return true
}

// TestFailpoints kills the run at every named failpoint, at its first
// occurrences (every occurrence with -crashtest.full), recovers, and
// checks the seven promises against the crash-free run.
func TestFailpoints(t *testing.T) {
	ref := reference(t)
	limit := 3
	if *full {
		limit = 1 << 30
	}
	if testing.Short() {
		limit = 1
	}
	for _, fp := range failpoints {
		t.Run(fp, func(t *testing.T) {
			n := 1
			for ; n <= limit; n++ {
				if !crashThenRecover(t, ref, fmt.Sprintf("%s:%d", fp, n), "") || t.Failed() {
					break
				}
			}
			if n == 1 && !t.Failed() {
				t.Fatalf("failpoint %s is never reached by the workload", fp)
			}
			t.Logf("%s: %d crash points", fp, n-1)
		})
	}
}

// TestDoubleCrash kills the run, then kills the recovery too at each
// failpoint, then recovers.
func TestDoubleCrash(t *testing.T) {
	ref := reference(t)
	first := []string{"copy.mid-write:3", "move.after-copy:1", "run.before-start:2", "mirror.before-write:2", "op.after-intent:20"}
	for _, a := range first {
		for _, b := range failpoints {
			if testing.Short() && b != "op.after-intent" {
				continue
			}
			t.Run(a+"/"+b, func(t *testing.T) {
				if !crashThenRecover(t, ref, a, b+":1") {
					t.Fatalf("first crash point %s not reached", a)
				}
			})
		}
	}
}
