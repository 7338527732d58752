package main

import (
	"context"
	"fmt"
	"strconv"

	"github.com/spf13/cobra"

	"smswork/journal"
)

func newResolveCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "resolve ID rerun|skip",
		Short: "Decide a held operation: run it again, or skip it",
		Long: `resolve records a person's decision for an operation held after an
interruption (see 'smswork status' for IDs). The next 'smswork run' acts on it:
rerun runs the operation again, skip commits it as skipped and goes on. The
decision and who made it are kept in the audit trail.

Exit status: 0 recorded, 2 no such held operation or a bad decision,
75 another smswork holds the journal.`,
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
	if err != nil {
		return err
	}
	defer func() { _ = j.Close() }()
	by := whoAmI()
	var e *journal.Entry
	if err := j.Update(func(tx *journal.Tx) (err error) {
		e, err = tx.Resolve(seq, d, by)
		return err
	}); err != nil {
		return &exitError{code: exitUsage, err: err}
	}
	fmt.Fprintf(g.stdout, "operation %d (%s): %s, decided by %s; it takes effect at the next run\n", seq, e.Raw, d, by)
	return nil
}
