package recovery

import (
	"testing"

	"smswork/journal"
	"smswork/ops"
)

// TestRun_InterruptedRunOperation: a run operation a crash interrupted
// (the program ran, its marker did not land) is run again by default, or
// held under PolicyHold, the queue stopping at it, until a person
// decides.
func TestRun_InterruptedRunOperation(t *testing.T) {
	t.Parallel()
	r, b := `prog r`, `del c:\b`
	tests := []struct {
		name   string
		policy InterruptedPolicy
	}{
		{"rerun by default", ""},
		{"rerun", PolicyRerun},
		{"hold", PolicyHold},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, r, b)
			e.exec.scripts["r"] = &script{panicAfter: 1}
			e.crashRun(nil)
			if e.w.runs["r"] != 1 || len(e.records()) != 0 {
				t.Fatalf("before recovery: %d runs, %d records", e.w.runs["r"], len(e.records()))
			}
			policy := func(c *Config) { c.Interrupted = tt.policy }
			sum := e.run(policy)
			if tt.policy != PolicyHold {
				recs := e.recordsOf(r)
				if e.w.runs["r"] != 2 || e.exec.count("prepare", "r") != 2 || len(recs) != 1 ||
					recs[0].Outcome != ops.Done || recs[0].Interrupted != 1 || recs[0].Attempts != 2 {
					t.Errorf("%d runs, %d prepares, records %+v; want run again afresh, audited as interrupted", e.w.runs["r"], e.exec.count("prepare", "r"), recs)
				}
				e.onceEach(b)
				e.wantPending()
				return
			}
			recs := e.recordsOf(r)
			if e.w.runs["r"] != 1 || len(sum.Held) != 1 || sum.Held[0].Raw != r || len(recs) != 1 ||
				recs[0].Outcome != ops.Held || recs[0].Result.Err != "interrupted while running (--interrupted=hold)" || !recs[0].StillQueued {
				t.Errorf("%d runs, held %+v, records %+v; want held, not run", e.w.runs["r"], sum.Held, recs)
			}
			if e.exec.count("prepare", "b") != 0 {
				t.Error("the entry after a held one was prepared")
			}
			e.wantPending(r, b)
			// Undecided, it stays held, and is audited as held once.
			sum = e.run(policy)
			if len(sum.Held) != 1 || len(e.recordsOf(r)) != 1 || e.w.runs["r"] != 1 {
				t.Errorf("second run: held %+v, records %v, runs %d", sum.Held, e.outcomes(r), e.w.runs["r"])
			}
			e.wantPending(r, b)
		})
	}
}

// TestRun_MaxAttempts: any operation interrupted MaxAttempts times is
// held whatever the policy, so that a command that takes the machine
// down does not do so at every boot.
func TestRun_MaxAttempts(t *testing.T) {
	t.Parallel()
	a := `del c:\a`
	for _, max := range []int{2, 3} {
		t.Run(string(rune('0'+max)), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, a)
			e.exec.scripts["a"] = &script{panicBefore: 1, panicAfter: 2}
			limit := func(c *Config) { c.MaxAttempts = max }
			e.crashRun(limit) // crashes before its effect
			e.crashRun(limit) // finished from its intent, crashes after its effect
			sum := e.run(limit)
			recs := e.recordsOf(a)
			if max == 2 {
				if len(sum.Held) != 1 || e.exec.count("execute", "a") != 2 || len(recs) != 1 ||
					recs[0].Outcome != ops.Held || recs[0].Result.Err != "interrupted 2 times (--max-attempts 2)" {
					t.Errorf("held %+v, %d executions, records %+v", sum.Held, e.exec.count("execute", "a"), recs)
				}
				e.wantPending(a)
				return
			}
			if len(sum.Held) != 0 || e.exec.count("execute", "a") != 3 || e.exec.count("prepare", "a") != 1 || len(recs) != 1 ||
				recs[0].Outcome != ops.AlreadyDone || recs[0].Interrupted != 2 || recs[0].Attempts != 3 {
				t.Errorf("held %+v, %d executions, records %+v", sum.Held, e.exec.count("execute", "a"), recs)
			}
			e.wantPending()
		})
	}
}

// TestRun_ResolveHeld: a held operation decided by smswork resolve is
// skipped (audited, not run) or run again: a run operation afresh, a file
// operation from its intent.
func TestRun_ResolveHeld(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		entry    string
		decision journal.Decision
	}{
		{"skip a run operation", `prog r`, journal.Skip},
		{"rerun a run operation", `prog r`, journal.Rerun},
		{"skip a file operation", `del c:\a`, journal.Skip},
		{"rerun a file operation", `del c:\a`, journal.Rerun},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			after := `del c:\b`
			e := newEnv(t, tt.entry, after)
			op, _ := ops.Parse(tt.entry)
			name := nameOf(op)
			e.exec.scripts[name] = &script{panicAfter: 1}
			e.crashRun(nil)
			stamp := e.w.files[name]
			hold := func(c *Config) { c.Interrupted, c.MaxAttempts = PolicyHold, 1 }
			if sum := e.run(hold); len(sum.Held) != 1 {
				t.Fatalf("not held: %+v", sum)
			}
			if err := e.j.Update(func(tx *journal.Tx) error {
				_, err := tx.Resolve(1, tt.decision, "admin", e.clock.now())
				return err
			}); err != nil {
				t.Fatal(err)
			}
			e.run(nil)
			recs := e.recordsOf(tt.entry)
			last := recs[len(recs)-1]
			if len(recs) != 2 || recs[0].Outcome != ops.Held || last.Decision != tt.decision || last.DecidedBy != "admin" {
				t.Fatalf("records %+v", recs)
			}
			executions := e.exec.count("execute", name)
			switch {
			case tt.decision == journal.Skip:
				if last.Outcome != ops.Skipped || executions != 1 {
					t.Errorf("skip: outcome %s, %d executions", last.Outcome, executions)
				}
			case op.Kind == ops.KindRun:
				if last.Outcome != ops.Done || executions != 2 || e.exec.count("prepare", name) != 2 || e.w.runs[name] != 2 {
					t.Errorf("rerun: outcome %s, %d executions, %d prepares", last.Outcome, executions, e.exec.count("prepare", name))
				}
			default:
				if last.Outcome != ops.AlreadyDone || executions != 2 || e.exec.count("prepare", name) != 1 || e.w.files[name] != stamp {
					t.Errorf("rerun: outcome %s, %d executions, %d prepares; want finished from its intent", last.Outcome, executions, e.exec.count("prepare", name))
				}
			}
			e.onceEach(after)
			e.wantPending()
		})
	}
}
