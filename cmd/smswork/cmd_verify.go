package main

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"smswork/journal"
	"smswork/smsini"
)

func newVerifyCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "verify",
		Short: "Check the journal, its hash chain and SMS.INI against each other",
		Long: `verify runs bbolt's consistency check on the journal, walks the audit
history's hash chain (an edited, deleted or reordered record is named), and
checks SMS.INI against the journal: every uncommitted operation must still be
listed, and no committed one once a run has finished. Exit status 0 when all
is clean, 1 with the list of findings.`,
		Example: `  smswork verify`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVerify(cmd.Context(), g)
		},
	}
}

func runVerify(_ context.Context, g *globalOptions) error {
	j, err := g.openJournal(true)
	if err != nil {
		return err
	}
	defer func() { _ = j.Close() }()
	findings := j.Check()
	var open []string
	err = j.View(func(tx *journal.Tx) error {
		findings = append(findings, tx.VerifyChain()...)
		m, err := tx.Mirror()
		if err != nil {
			return err
		}
		if m.Pending != nil {
			findings = append(findings, fmt.Errorf("an SMS.INI rewrite was interrupted (temporary file %s): run smswork run", m.Pending.Temp))
		}
		return tx.Queue(func(e *journal.Entry) error {
			if e.State != journal.Committed {
				open = append(open, e.Raw)
			} else if e.Seq >= m.Start {
				findings = append(findings, fmt.Errorf("operation %d (%s) is committed but SMS.INI still lists it: run smswork run", e.Seq, e.Raw))
			}
			return nil
		})
	})
	if err != nil {
		return err
	}
	file, err := smsini.Read(g.ini)
	if err != nil {
		findings = append(findings, err)
	} else {
		for i, text := range open {
			if i >= len(file.Entries) || file.Entries[i].Text != text {
				findings = append(findings, fmt.Errorf("%s does not list uncommitted operation %q at position %d", g.ini, text, i+1))
				break
			}
		}
	}
	if len(findings) == 0 {
		fmt.Fprintf(g.stdout, "journal %s and %s: clean\n", j.Path(), g.ini)
		return nil
	}
	for _, f := range findings {
		fmt.Fprintf(g.stdout, "FINDING: %v\n", f)
	}
	return &exitError{code: exitFailed, err: fmt.Errorf("%d finding(s)", len(findings))}
}
