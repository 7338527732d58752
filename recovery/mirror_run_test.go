package recovery

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"smswork/ops"
	"smswork/smsini"
)

// appendIni is smswork add (not atomic): entries appended to SMS.INI
// under its lock, by another process as far as the run can tell.
func (e *env) appendIni(entries ...string) {
	e.t.Helper()
	if err := smsini.Append(context.Background(), e.ini, entries); err != nil {
		e.t.Fatal(err)
	}
}

// onceEach checks that every entry of raws has exactly one record, done
// or already done (each file operation took effect once).
func (e *env) onceEach(raws ...string) {
	e.t.Helper()
	for _, raw := range raws {
		got := e.outcomes(raw)
		if len(got) != 1 || got[0] != ops.Done && got[0] != ops.AlreadyDone {
			e.t.Errorf("records of %s: %v, want one done", raw, got)
		}
	}
}

// TestRun_Appended: entries appended to SMS.INI while a run drains, or
// between a crash and the next start, are executed after the current
// ones: never lost, never executed twice, even when one repeats an entry
// already run.
func TestRun_Appended(t *testing.T) {
	t.Parallel()
	a, b, c, x := `del c:\a`, `del c:\b`, `del c:\c`, `del c:\x`
	for _, interval := range []time.Duration{0, time.Nanosecond} {
		t.Run("while it runs, mirror interval "+interval.String(), func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, a, b, c)
			e.exec.onExecute = func(name string) {
				if name == "b" && e.exec.count("execute", "b") == 1 {
					e.appendIni(x, a)
				}
				e.checkMirror()
			}
			e.run(func(cfg *Config) { cfg.MirrorInterval = interval })
			if got, want := e.exec.names("execute"), []string{"a", "b", "c", "x", "a"}; !slices.Equal(got, want) {
				t.Errorf("executed %v, want %v", got, want)
			}
			if got := e.outcomes(a); !slices.Equal(got, []ops.Outcome{ops.Done, ops.Done}) {
				t.Errorf("records of the repeated entry: %v, want two", got)
			}
			e.onceEach(b, c, x)
			e.wantPending()
		})
	}
	t.Run("between a crash and the next start", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, a, b)
		e.crashAt = "op.after-intent:2"
		e.crashRun(nil)
		e.appendIni(x, b)
		e.run(nil)
		if got, want := e.exec.names("execute"), []string{"a", "b", "x", "b"}; !slices.Equal(got, want) {
			t.Errorf("executed %v, want %v", got, want)
		}
		e.onceEach(a, x)
		if got := e.outcomes(b); len(got) != 2 {
			t.Errorf("records of b, queued twice: %v", got)
		}
		e.wantPending()
	})
}

// TestRun_CrashDuringMirror crashes at each step of an SMS.INI rewrite
// (the journal package doc, "The mirror protocol"), appends two entries
// before the next start, one repeating an entry already run, and checks
// that SMS.INI never led the journal, that each operation took effect
// once, the appended entries last, and that no temporary file is left.
func TestRun_CrashDuringMirror(t *testing.T) {
	t.Parallel()
	a, b, c, y := `del c:\a`, `del c:\b`, `del c:\c`, `del c:\y`
	for _, at := range []string{"mirror.before-write", "mirror.before-rename", "mirror.after-write"} {
		for _, n := range []int{1, 2} {
			t.Run(at+":"+string(rune('0'+n)), func(t *testing.T) {
				t.Parallel()
				e := newEnv(t, a, b, c)
				e.crashAt = at + ":" + string(rune('0'+n))
				fast := func(cfg *Config) { cfg.MirrorInterval = time.Nanosecond }
				e.crashRun(fast)
				e.appendIni(y, a)
				e.run(fast)
				e.onceEach(b, c, y)
				if got := e.outcomes(a); len(got) != 2 {
					t.Errorf("records of %s, queued twice: %v", a, got)
				}
				if got := e.exec.names("execute"); !slices.Equal(got[len(got)-2:], []string{"y", "a"}) || e.w.files["c"] == "" {
					t.Errorf("executed %v, world %v", got, e.w.files)
				}
				e.wantPending()
				left, err := filepath.Glob(filepath.Join(filepath.Dir(e.ini), "*.tmp"))
				if err != nil || len(left) > 0 {
					t.Errorf("temporary files left: %v %v", left, err)
				}
			})
		}
	}
}

// TestRun_HandEdited: SMS.INI changed by hand between runs is reconciled
// as documented: the journal wins (an operation it still has is run even
// if the edit removed it), appended entries are kept and run after, and
// a warning says so.
func TestRun_HandEdited(t *testing.T) {
	t.Parallel()
	a, b, c, z := `del c:\a`, `del c:\b`, `del c:\c`, `del c:\z`
	e := newEnv(t, a, b, c)
	e.exec.scripts["b"] = &script{fail: 1}
	e.run(nil)
	e.wantPending(b, c)
	e.writeIni(c, z) // b removed by hand, z added
	e.run(nil)
	if got, want := e.exec.names("execute"), []string{"a", "b", "b", "c", "z"}; !slices.Equal(got, want) {
		t.Errorf("executed %v, want %v", got, want)
	}
	if !strings.Contains(e.log.String(), "SMS.INI was changed by hand") {
		t.Errorf("no warning of the hand edit in the log:\n%s", e.log.String())
	}
	e.onceEach(a, c, z)
	e.wantPending()
}

// TestRun_BadEntries: an entry that does not parse stops a start before
// anything runs, SMS.INI untouched; one appended during a run is
// reported and left in SMS.INI for a person, the rest run.
func TestRun_BadEntries(t *testing.T) {
	t.Parallel()
	a, b, bad := `del c:\a`, `del c:\b`, `copy c:\a c:\b /x`
	t.Run("at the start", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, a, bad)
		before, err := os.ReadFile(e.ini)
		if err != nil {
			t.Fatal(err)
		}
		_, crashed, err := e.try(func(cfg Config) (*Summary, error) { return Run(context.Background(), cfg) }, nil)
		var ie *InputError
		if !errors.Is(err, ErrBadInput) || !errors.As(err, &ie) || len(ie.Problems) != 1 || crashed != "" ||
			!strings.Contains(err.Error(), `entry 2 "copy c:\a c:\b /x"`) {
			t.Fatalf("run: %v (crash %q), want the bad entry named", err, crashed)
		}
		after, err := os.ReadFile(e.ini)
		if err != nil || string(after) != string(before) || len(e.exec.calls) != 0 || len(e.queue()) != 0 {
			t.Errorf("something happened: SMS.INI %q, calls %v, queue %v", after, e.exec.calls, e.queue())
		}
	})
	t.Run("appended during a run", func(t *testing.T) {
		t.Parallel()
		e := newEnv(t, a, b)
		e.exec.onExecute = func(name string) {
			if name == "a" {
				e.appendIni(bad)
			}
		}
		sum := e.run(nil)
		if len(sum.Bad) != 1 || !strings.Contains(sum.Bad[0].Error(), "/x") {
			t.Errorf("bad entries %v", sum.Bad)
		}
		e.onceEach(a, b)
		if got := e.pending(); !slices.Equal(got, []string{bad}) {
			t.Errorf("SMS.INI lists %q, want the bad entry alone", got)
		}
	})
}
