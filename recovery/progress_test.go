package recovery

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"smswork/journal"
	"smswork/ops"
)

// failingExec is an executor whose operations do nothing but succeed,
// except md of a folder named in fail.
type failingExec struct {
	fail map[string]bool
	ran  []string
}

func (x *failingExec) Prepare(*ops.Op, uint64) (*ops.Intent, error) { return &ops.Intent{}, nil }

func (x *failingExec) Execute(_ context.Context, op *ops.Op, _ *ops.Intent, _ func(*ops.Intent) error) ops.Result {
	x.ran = append(x.ran, op.Src.Rel)
	now := time.Now()
	if x.fail[op.Src.Rel] {
		return ops.Result{Outcome: ops.Failed, Err: "scripted failure", Start: now, End: now}
	}
	return ops.Result{Outcome: ops.Done, Start: now, End: now}
}

// testConfig is a run's Config on a real journal and SMS.INI in a
// temporary folder, queueing entries.
func testConfig(t *testing.T, x Executor, entries string) Config {
	t.Helper()
	dir := t.TempDir()
	ini := filepath.Join(dir, "SMS.INI")
	if err := os.WriteFile(ini, []byte("[SMS Work]\nPendingWork="+entries+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(filepath.Join(dir, "journal.db"), journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return Config{Ini: ini, Journal: j, Exec: x}
}

// TestRun_ProgressAndSkipOfAFailure: OnProgress counts the operations
// still open as each starts and commits; a failure stays queued with its
// error, a person's skip of it lets the next run go on.
func TestRun_ProgressAndSkipOfAFailure(t *testing.T) {
	x := &failingExec{fail: map[string]bool{"bad": true}}
	cfg := testConfig(t, x, `md c:\a, md c:\bad, md c:\c`)
	type event struct {
		open    int
		started string
		outcome ops.Outcome
	}
	var got []event
	cfg.OnProgress = func(p Progress) {
		switch {
		case p.Current != nil:
			got = append(got, event{open: p.Open, started: p.Current.Op.Src.Rel})
		case p.Record != nil:
			got = append(got, event{open: p.Open, outcome: p.Record.Outcome})
		}
	}
	sum, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	// md c:\a's commit marker is deferred to the next transaction: its
	// record comes once the next operation's intent is written.
	want := []event{{3, "a", ""}, {2, "", ops.Done}, {2, "bad", ""}, {2, "", ops.Failed}}
	if len(got) != len(want) {
		t.Fatalf("progress %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("progress %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if sum.Failed == nil || sum.Remaining != 2 || sum.Outcomes[ops.Done] != 1 {
		t.Fatalf("summary: %+v", sum)
	}
	err = cfg.Journal.Update(func(tx *journal.Tx) error {
		e, err := tx.Resolve(2, journal.Skip, "alice", time.Now())
		if err == nil && e.Failure != "scripted failure" {
			t.Errorf("failed entry: %+v", e)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	x.ran, got = nil, nil
	sum, err = Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Failed != nil || sum.Remaining != 0 || sum.Outcomes[ops.Skipped] != 1 || sum.Outcomes[ops.Done] != 1 {
		t.Errorf("second run: %+v", sum)
	}
	if len(x.ran) != 1 || x.ran[0] != "c" {
		t.Errorf("second run executed %q, want only c (bad is skipped)", x.ran)
	}
	if n := len(got); n == 0 || got[n-1].open != 0 {
		t.Errorf("second run's progress ends with %+v, want 0 open", got)
	}
}

// TestRun_StoppedSaysWhy: a run whose context ends says why (the cause:
// its deadline, a signal), and what it did not reach stays queued.
func TestRun_StoppedSaysWhy(t *testing.T) {
	x := &failingExec{}
	cfg := testConfig(t, x, `md c:\a, md c:\b`)
	cause := errors.New("stopped by SIGTERM")
	ctx, cancel := context.WithCancelCause(context.Background())
	cancel(cause)
	sum, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !sum.Deadline || !errors.Is(sum.Stopped(), cause) || sum.Remaining != 2 || len(x.ran) != 0 {
		t.Errorf("stopped run: %+v, stopped %v, ran %q", sum, sum.Stopped(), x.ran)
	}
}

// TestReadProblems: an unterminated quote is reported with every bad
// entry before it.
func TestReadProblems(t *testing.T) {
	dir := t.TempDir()
	ini := filepath.Join(dir, "SMS.INI")
	if err := os.WriteFile(ini, []byte("[SMS Work]\nPendingWork=del c:\\x /z, md c:\\ok, md c:\\y /q, copy \"c:\\a c:\\b\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	x := &failingExec{}
	cfg := testConfig(t, x, "")
	cfg.Ini = ini
	_, err := Run(context.Background(), cfg)
	var ie *InputError
	if !errors.As(err, &ie) || len(ie.Problems) != 3 {
		t.Fatalf("Run = %v, want the two bad entries and the quote", err)
	}
	var ee *EntryError
	if !errors.As(ie.Problems[0], &ee) || ee.Pos != 1 || !errors.As(ie.Problems[1], &ee) || ee.Pos != 3 {
		t.Errorf("problems: %v", ie.Problems)
	}
	if len(x.ran) != 0 {
		t.Error("something ran")
	}
}
