package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"smswork/internal/failpoint"
	"smswork/journal"
	"smswork/ops"
	"smswork/recovery"
)

type runOptions struct {
	interrupted string
	maxAttempts int
	onError     string
	opTimeout   time.Duration
	deadline    time.Duration
}

func newRunCommand(g *globalOptions) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Recover, take in PendingWork, and execute it in order",
		Long: `run is the one start path. It opens the journal, finishes whatever a crash
interrupted, takes in the entries of PendingWork, then executes them left to
right: each one gets an intent marker in the journal before it touches anything
and a commit marker after, and SMS.INI is rewritten to list what remains.

A failed operation stops the queue: it and every later entry stay in
PendingWork for the next boot (--on-error=continue goes on instead). A run
operation found interrupted is run again (--interrupted=rerun) or held for
'smswork resolve' (--interrupted=hold); any operation interrupted
--max-attempts times is held, so a command that crashes the machine cannot
crash every boot.

Exit status: 0 nothing left, 1 an operation failed, 2 bad input (nothing
executed), 3 an operation is held, 75 another smswork holds the journal.`,
		Example: `  smswork --ini /mnt/c/SMS.INI --drive C=/mnt/c run
  smswork run --interrupted=hold --deadline 5m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runRun(cmd.Context(), g, o, os.Getenv("SMSWORK_FAILPOINT"))
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.interrupted, "interrupted", "rerun", "what to do with an interrupted run operation: rerun or hold")
	f.IntVar(&o.maxAttempts, "max-attempts", 3, "hold an operation interrupted this many times")
	f.StringVar(&o.onError, "on-error", "stop", "after a failed operation: stop the queue, or continue")
	f.DurationVar(&o.opTimeout, "op-timeout", defaultOpTimeout, "time limit of each run operation")
	f.DurationVar(&o.deadline, "deadline", 0, "bound the whole run; what is not reached stays queued (0: none)")
	return cmd
}

func runRun(ctx context.Context, g *globalOptions, o *runOptions, fpSpec string) error {
	cfg, cleanup, err := g.recoveryConfig(o, fpSpec)
	if err != nil {
		return err
	}
	defer cleanup()
	if o.deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, o.deadline)
		defer cancel()
	}
	sum, err := recovery.Run(ctx, cfg)
	printSummary(g.stdout, sum)
	if err != nil {
		return err
	}
	return summaryError(sum)
}

// recoveryConfig opens what a run needs; cleanup closes it.
func (g *globalOptions) recoveryConfig(o *runOptions, fpSpec string) (recovery.Config, func(), error) {
	var cfg recovery.Config
	switch o.interrupted {
	case "rerun", "hold":
	default:
		return cfg, nil, usageErr("--interrupted %q: want rerun or hold", o.interrupted)
	}
	switch o.onError {
	case "stop", "continue":
	default:
		return cfg, nil, usageErr("--on-error %q: want stop or continue", o.onError)
	}
	fp, err := failpoint.Parse(fpSpec)
	if err != nil {
		return cfg, nil, usageErr("%v", err)
	}
	log, err := g.logger()
	if err != nil {
		return cfg, nil, err
	}
	drives, err := g.openDrives()
	if err != nil {
		return cfg, nil, err
	}
	j, err := g.openJournal(false)
	if err != nil {
		_ = drives.Close()
		if errors.Is(err, journal.ErrLocked) {
			return cfg, nil, &exitError{code: exitLocked, err: fmt.Errorf("another smswork is running: %w", err)}
		}
		return cfg, nil, err
	}
	x := &ops.Executor{Drives: drives, OpTimeout: o.opTimeout, Log: log, Failpoint: fp}
	cfg = recovery.Config{
		Ini: g.ini, Journal: j, Exec: x,
		Interrupted:     recovery.InterruptedPolicy(o.interrupted),
		MaxAttempts:     o.maxAttempts,
		ContinueOnError: o.onError == "continue",
		Log:             log,
		Failpoint:       fp,
	}
	return cfg, func() { _ = j.Close(); _ = drives.Close() }, nil
}

// summaryError turns a run's summary into its exit status.
func summaryError(sum *recovery.Summary) error {
	switch {
	case len(sum.Held) > 0:
		return &exitError{code: exitHeld, err: fmt.Errorf("%d operation(s) held for a decision: see smswork status, then smswork resolve", len(sum.Held))}
	case sum.Failed != nil:
		return &exitError{code: exitFailed, err: fmt.Errorf("entry %d of batch %d failed, queue stopped: %s", sum.Failed.Pos, sum.Failed.Batch, sum.Failed.Result.Err)}
	case len(sum.Bad) > 0:
		return &exitError{code: exitUsage, err: &recovery.InputError{Problems: sum.Bad}}
	case sum.Deadline:
		return &exitError{code: exitFailed, err: fmt.Errorf("deadline reached with %d operation(s) still queued", sum.Remaining)}
	}
	return nil
}

func printSummary(w io.Writer, sum *recovery.Summary) {
	if sum == nil {
		return
	}
	for _, r := range sum.Records {
		line := fmt.Sprintf("%-12s %s", r.Outcome, r.Raw)
		if r.Interrupted > 0 {
			line += "  (interrupted before, finished now)"
		}
		if r.Result.Err != "" {
			line += "  error: " + r.Result.Err
		}
		fmt.Fprintln(w, line)
	}
	if sum.Remaining > 0 {
		fmt.Fprintf(w, "%d operation(s) remain queued\n", sum.Remaining)
	}
}

// defaultOpTimeout is the time limit of a run operation without --op-timeout.
const defaultOpTimeout = 10 * time.Minute
