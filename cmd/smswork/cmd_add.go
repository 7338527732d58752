package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"smswork/ops"
	"smswork/smsini"
)

func newAddCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "add ENTRY...",
		Short: "Append entries to PendingWork, validated first",
		Long: `add appends entries to the end of PendingWork in one atomic, durable rewrite
of SMS.INI, under a lock shared with every other smswork, so concurrent adds
and a running 'smswork run' lose nothing. Each argument is one entry, or a
comma-separated list of entries. Every entry is parsed first: if any is bad,
nothing is appended.

Exit status: 0 appended, 2 an entry does not parse (nothing appended).`,
		Example: `  smswork add 'copy c:\temp\netapi.dll c:\windows\system\netapi.dll /y' 'del c:\temp\netapi.dll'
  smswork add 'md c:\new, copy c:\temp\a.txt c:\new'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return runAdd(cmd.Context(), g, args)
		},
	}
}

func runAdd(ctx context.Context, g *globalOptions, args []string) error {
	var entries []string
	var bad []error
	for i, a := range args {
		list, err := smsini.Split(a)
		if err != nil {
			bad = append(bad, fmt.Errorf("argument %d %q: %w", i+1, a, err))
			continue
		}
		for _, e := range list {
			if _, err := ops.Parse(e); err != nil {
				bad = append(bad, fmt.Errorf("argument %d, entry %q: %w", i+1, e, err))
				continue
			}
			entries = append(entries, e)
		}
	}
	if len(bad) > 0 {
		return &exitError{code: exitUsage, err: joinErrors("nothing added", bad)}
	}
	if len(entries) == 0 {
		return usageErr("nothing to add")
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := smsini.Append(ctx, g.ini, entries); err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "added %d entr%s to %s\n", len(entries), plural(len(entries), "y", "ies"), g.ini)
	return nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// joinErrors lists errs under a heading, one a line.
func joinErrors(heading string, errs []error) error {
	msg := heading + ":"
	for _, e := range errs {
		msg += "\n  " + e.Error()
	}
	return fmt.Errorf("%s", msg)
}
