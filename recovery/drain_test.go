package recovery

import (
	"slices"
	"testing"
	"time"

	"smswork/journal"
	"smswork/ops"
)

// committedOrGone says operation seq has its commit marker: committed
// (or staged in an atomic batch), or out of the queue, which only a
// committed operation leaves.
func (e *env) committedOrGone(seq uint64) bool {
	en := e.entry(seq)
	return en == nil || en.State == journal.Committed || en.State == journal.Staged
}

// TestRun_DrainsInOrder: operation N+1 never starts before N is
// committed; each starts with its intent durable; SMS.INI is the
// journal's mirror throughout and ends listing exactly what remains.
func TestRun_DrainsInOrder(t *testing.T) {
	t.Parallel()
	// Twelve entries: with the default interval, SMS.INI is not rewritten
	// (which flushes a deferred marker) after each operation, only when
	// it trails by a quarter.
	names := []string{"a", "b", "r", "c", "d", "e", "f", "g", "h", "i", "j", "k"}
	var entries []string
	for _, n := range names {
		if n == "r" {
			entries = append(entries, "prog r")
		} else {
			entries = append(entries, `del c:\`+n)
		}
	}
	for _, interval := range []time.Duration{0, time.Nanosecond} {
		t.Run("mirror interval "+interval.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, entries...)
			e.exec.onExecute = func(name string) {
				k := slices.Index(names, name)
				for i := range names {
					seq := uint64(i + 1)
					en := e.entry(seq)
					switch {
					case i < k && !e.committedOrGone(seq):
						t.Errorf("%s starts while %s is %s", name, names[i], en.State)
					case i < k && len(e.recordsOf(entries[i])) != 1:
						t.Errorf("%s starts while %s has records %v", name, names[i], e.outcomes(entries[i]))
					case i == k && (en == nil || en.State != journal.Intent || en.Intent == nil):
						t.Errorf("%s starts without its intent marker: %+v", name, en)
					case i > k && (en.State != journal.Queued || e.exec.count("prepare", names[i]) != 0):
						t.Errorf("%s is %s (prepared %d times) while %s starts", names[i], en.State, e.exec.count("prepare", names[i]), name)
					}
				}
				e.checkMirror()
				if interval > 0 && k > 0 && slices.Contains(e.pending(), entries[k-1]) {
					t.Errorf("at %s, SMS.INI still lists %s, committed (rewritten after every operation)", name, entries[k-1])
				}
			}
			sum := e.run(func(c *Config) { c.MirrorInterval = interval })
			if got := e.exec.names("execute"); !slices.Equal(got, names) {
				t.Errorf("executed %v, want %v", got, names)
			}
			var got []string
			for _, r := range e.records() {
				got = append(got, r.Raw)
				if r.Outcome != ops.Done {
					t.Errorf("record of %s: %s", r.Raw, r.Outcome)
				}
			}
			if !slices.Equal(got, entries) {
				t.Errorf("records of %q, want %q", got, entries)
			}
			if sum.Outcomes[ops.Done] != len(names) || sum.Remaining != 0 || sum.Failed != nil {
				t.Errorf("summary %+v", sum)
			}
			e.wantPending()
		})
	}
}

// TestRun_DeferredCommitMarker: the commit marker of a file operation
// that succeeded is durable with the next transaction, never on its own
// nor twice; a crash before it is finished from the intent; a run
// operation's marker is never deferred.
func TestRun_DeferredCommitMarker(t *testing.T) {
	t.Parallel()
	a, b, c := `del c:\a`, `del c:\b`, `del c:\c`
	// Eight entries and a long mirror interval: SMS.INI is not due for a
	// rewrite (which flushes the marker) after the first one.
	rest := []string{`del c:\3`, `del c:\4`, `del c:\5`, `del c:\6`, `del c:\7`, `del c:\8`}
	long := func(c *Config) { c.MirrorInterval = time.Hour }
	t.Run("durable with the next intent", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, append([]string{a, b}, rest...)...)
		e.onFailpoint = func(name string) {
			switch {
			case name == "op.after-intent" && e.hits[name] == 1:
				if n := len(e.records()); n != 0 {
					t.Errorf("%d records at the first intent", n)
				}
			case name == "op.before-intent" && e.hits[name] == 2:
				if en := e.entry(1); en == nil || en.State != journal.Intent || len(e.recordsOf(a)) != 0 {
					t.Errorf("before b's intent, a is %+v with records %v: its marker is not deferred", en, e.outcomes(a))
				}
			case name == "op.after-intent" && e.hits[name] == 2:
				if !e.committedOrGone(1) || len(e.recordsOf(a)) != 1 || e.entry(2).State != journal.Intent {
					t.Errorf("after b's intent: a committed %v with records %v, b %s", e.committedOrGone(1), e.outcomes(a), e.entry(2).State)
				}
			}
		}
		sum := e.run(long)
		for _, en := range e.records() {
			if got := e.outcomes(en.Raw); !slices.Equal(got, []ops.Outcome{ops.Done}) {
				t.Errorf("records of %s: %v, want one done", en.Raw, got)
			}
		}
		if len(e.records()) != 8 || e.hits["op.after-commit"] != 8 || sum.Outcomes[ops.Done] != 8 {
			t.Errorf("%d records, %d commits noted, summary %v; want 8", len(e.records()), e.hits["op.after-commit"], sum.Outcomes)
		}
		e.wantPending()
	})

	t.Run("crash before it is durable: finished from the intent", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, append([]string{a, b}, rest...)...)
		e.exec.scripts["b"] = &script{panicPrepare: 1}
		e.crashRun(long)
		if en := e.entry(1); en == nil || en.State != journal.Intent || len(e.records()) != 0 {
			t.Fatalf("after the crash a is %+v with %d records, want intent and none", en, len(e.records()))
		}
		stamp := e.w.files["a"]
		e.run(nil)
		if n := e.exec.count("prepare", "a"); n != 1 {
			t.Errorf("a prepared %d times, want once (finished from its intent)", n)
		}
		var stamps []string
		for _, c := range e.exec.calls {
			if c.what == "execute" && c.name == "a" {
				stamps = append(stamps, c.stamp)
			}
		}
		if !slices.Equal(stamps, []string{stamp, stamp}) || e.w.files["a"] != stamp {
			t.Errorf("a executed with intents %q, world %q; want its first intent twice", stamps, e.w.files["a"])
		}
		recs := e.recordsOf(a)
		if len(recs) != 1 || recs[0].Outcome != ops.AlreadyDone || recs[0].Interrupted != 1 || recs[0].Attempts != 2 {
			t.Errorf("records of a: %+v, want one already-done, interrupted once, 2 attempts", recs)
		}
		if got := e.outcomes(b); !slices.Equal(got, []ops.Outcome{ops.Done}) {
			t.Errorf("records of b: %v", got)
		}
		e.wantPending()
	})

	t.Run("a run operation's is never deferred", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, append([]string{`prog r`, b}, rest...)...)
		e.exec.scripts["b"] = &script{panicPrepare: 1}
		e.crashRun(long)
		if !e.committedOrGone(1) || len(e.recordsOf(`prog r`)) != 1 {
			t.Fatalf("after the crash the run operation is %+v with records %v, want committed", e.entry(1), e.outcomes(`prog r`))
		}
		e.run(nil)
		recs := e.recordsOf(`prog r`)
		if e.w.runs["r"] != 1 || len(recs) != 1 || recs[0].Interrupted != 0 {
			t.Errorf("program ran %d times, records %+v; want once", e.w.runs["r"], recs)
		}
		e.wantPending()
	})

	t.Run("rides in the transaction before SMS.INI's rename", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, a, b, c)
		var deferred, ridden int
		e.onFailpoint = func(name string) {
			switch name {
			case "mirror.before-write":
				// Not flushed in a transaction of its own first.
				for _, en := range e.queue() {
					if en.State == journal.Intent {
						deferred++
					}
				}
			case "mirror.before-rename":
				// Durable with the mirror's record, before the rename.
				for _, en := range e.queue() {
					if en.State == journal.Intent {
						t.Errorf("SMS.INI is renamed while %s's commit marker is not durable", en.Raw)
					}
				}
				ridden++
			}
		}
		e.run(func(c *Config) { c.MirrorInterval = time.Nanosecond })
		if ridden < 3 || deferred < 3 {
			t.Errorf("SMS.INI rewritten %d times with %d markers pending at the write, want one after each operation", ridden, deferred)
		}
		e.wantPending()
	})
}

// TestRun_FailureStopsQueue: a failure stops the queue with it and every
// later entry kept, unless ContinueOnError; a file in use stays whatever
// the setting.
func TestRun_FailureStopsQueue(t *testing.T) {
	t.Parallel()
	a, b, c := `del c:\a`, `del c:\b`, `del c:\c`
	tests := []struct {
		name         string
		continueOn   bool
		inUse        bool
		wantExecuted []string
		wantPending  []string
	}{
		{"stop", false, false, []string{"a", "b"}, []string{b, c}},
		{"continue", true, false, []string{"a", "b", "c"}, nil},
		{"in use stays despite continue", true, true, []string{"a", "b"}, []string{b, c}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, a, b, c)
			e.exec.scripts["b"] = &script{fail: -1, inUse: tt.inUse}
			sum := e.run(func(cfg *Config) { cfg.ContinueOnError = tt.continueOn })
			if got := e.exec.names("execute"); !slices.Equal(got, tt.wantExecuted) {
				t.Errorf("executed %v, want %v", got, tt.wantExecuted)
			}
			stays := len(tt.wantPending) > 0
			recs := e.recordsOf(b)
			if len(recs) != 1 || recs[0].Outcome != ops.Failed || recs[0].StillQueued != stays || recs[0].Result.Err != "scripted failure of b" {
				t.Fatalf("records of b: %+v", recs)
			}
			if stays != (sum.Failed != nil) || sum.Outcomes[ops.Failed] != 1 {
				t.Errorf("summary failed %+v, outcomes %v", sum.Failed, sum.Outcomes)
			}
			e.wantPending(tt.wantPending...)
			if !stays {
				return
			}
			if en := e.entry(2); en.State != journal.Queued || en.Intent != nil || e.exec.count("prepare", "c") != 0 {
				t.Errorf("failed entry %+v, c prepared %d times", en, e.exec.count("prepare", "c"))
			}
			// Fixed, the next run goes on from it.
			e.exec.scripts["b"] = nil
			e.run(nil)
			if got := e.exec.names("execute"); !slices.Equal(got, append(tt.wantExecuted, "b", "c")) {
				t.Errorf("executed %v after the fix", got)
			}
			if got := e.outcomes(b); !slices.Equal(got, []ops.Outcome{ops.Failed, ops.Done}) {
				t.Errorf("records of b: %v", got)
			}
			e.wantPending()
		})
	}
}
