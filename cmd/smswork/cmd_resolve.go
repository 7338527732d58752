package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"smswork/journal"
)

func newResolveCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "resolve ID rerun|skip",
		Short: "Decide a held or failed operation: run it again, or skip it",
		Long: `resolve records a person's decision for an operation held after an
interruption, or one whose last attempt failed and stopped the queue (see
'smswork status' for IDs: it names the command for each). The next
'smswork run' acts on it: rerun runs the operation again (a failed one is
tried again anyway: rerun says a person looked), skip commits it as skipped
and goes on with the queue. The decision, who made it and when are kept in
the audit trail (the operation's next record), and status shows it until
the next run.

Exit status: 0 recorded, 2 no such held or failed operation or a bad
decision, 75 another smswork holds the journal.`,
		Example: `  smswork status
  smswork resolve 7 skip
  smswork run`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runResolve(cmd.Context(), g, args[0], args[1])
		},
	}
}

func runResolve(_ context.Context, g *globalOptions, id, decision string) error {
	seq, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		return usageErr("ID %q: want the number status shows", id)
	}
	d := journal.Decision(decision)
	if d != journal.Rerun && d != journal.Skip {
		return usageErr("decision %q: want rerun or skip", decision)
	}
	j, err := g.openJournal(false)
	if errors.Is(err, journal.ErrLocked) {
		return &exitError{code: exitLocked, err: fmt.Errorf("another smswork holds the journal (a run?); nothing recorded, try again once it ends: %w", err)}
	}
	if err != nil {
		return err
	}
	defer func() { _ = j.Close() }()
	by := whoAmI()
	var e *journal.Entry
	if err := j.Update(func(tx *journal.Tx) (err error) {
		e, err = tx.Resolve(seq, d, by, time.Now())
		return err
	}); err != nil {
		if errors.Is(err, journal.ErrNotFound) {
			err = fmt.Errorf("no operation %d is waiting in the journal (smswork status lists those held or failed): %w", seq, err)
		}
		return &exitError{code: exitUsage, err: err}
	}
	fmt.Fprintf(g.stdout, "operation %d (%s): %s, decided by %s; it takes effect at the next run (%s)\n", seq, e.Raw, d, by, g.command("run"))
	return nil
}
