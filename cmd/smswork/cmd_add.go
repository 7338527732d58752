package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/spf13/cobra"

	"smswork/internal/config"
	"smswork/internal/failpoint"
	"smswork/journal"
	"smswork/ops"
	"smswork/recovery"
	"smswork/smsini"
)

type addOptions struct {
	atomic     bool
	onRollback string
	// failpoint is SMSWORK_FAILPOINT (crash tests of add --atomic).
	failpoint string
}

func newAddCommand(g *globalOptions) *cobra.Command {
	o := &addOptions{}
	cmd := &cobra.Command{
		Use:   "add ENTRY...",
		Short: "Append entries to PendingWork, validated first",
		Long: `add appends entries to the end of PendingWork in one atomic, durable rewrite
of SMS.INI, under a lock shared with every other smswork, so concurrent adds
and a running 'smswork run' lose nothing. Each argument is one entry, or a
comma-separated list of entries. Every entry is parsed first, and every
drive it names must be mapped (the configuration file's [drives], or
--drive; on Windows a letter is the drive itself): if any is bad, nothing is
appended, and each bad one is named by the place it would take in the queue,
as plan numbers them ("entry 4 ... (argument 2)").

--atomic makes the entries one all-or-nothing batch: should one of them fail,
what the batch did is undone in reverse order, then the batch stays queued
(--on-rollback=keep, the default) or is dropped (--on-rollback=drop). This is
recorded in the journal, not in SMS.INI, which stays a plain list for other
tools; so --atomic takes the journal, and waits for no running 'smswork run'
(exit status 75: try again once it ends). A run operation cannot be undone:
add says so, and a rollback stops at it.

Exit status: 0 appended, 2 an entry does not parse or names a drive that is
not mapped (nothing appended), 75 another smswork holds the journal
(--atomic; nothing appended).`,
		Example: `  smswork add 'copy c:\temp\netapi.dll c:\windows\system\netapi.dll /y' 'del c:\temp\netapi.dll'
  smswork add 'md c:\new, copy c:\temp\a.txt c:\new'
  smswork add --atomic 'copy c:\temp\a.dll c:\windows\a.dll' 'copy c:\temp\b.dll c:\windows\b.dll'`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.failpoint = os.Getenv("SMSWORK_FAILPOINT")
			return runAdd(cmd.Context(), g, o, args)
		},
	}
	cmd.Flags().BoolVar(&o.atomic, "atomic", false, "make the entries one all-or-nothing batch (recorded in the journal)")
	cmd.Flags().StringVar(&o.onRollback, "on-rollback", config.OnRollback, "with --atomic, after a rollback: keep the batch queued, or drop it")
	return cmd
}

func runAdd(ctx context.Context, g *globalOptions, o *addOptions, args []string) error {
	if o.onRollback != "keep" && o.onRollback != "drop" {
		return usageErr("--on-rollback %q: want keep or drop", o.onRollback)
	}
	drives, err := g.openDrives()
	if err != nil {
		return err
	}
	defer func() { _ = drives.Close() }()
	// Entries are numbered by the place they take in the queue, as plan
	// numbers them (the count may move if another add races this one).
	queued := 0
	if file, err := smsini.Read(g.iniPath()); err == nil {
		queued = len(file.Entries)
	}
	var entries []string
	var parsed []journal.NewEntry
	var bad []error
	n := queued
	for i, a := range args {
		list, err := smsini.Split(a)
		if err != nil {
			n++
			bad = append(bad, fmt.Errorf("entry %d %s (argument %d): %w", n, ops.Show(a), i+1, err))
			continue
		}
		for _, e := range list {
			n++
			op, err := ops.Parse(e)
			if err != nil {
				bad = append(bad, fmt.Errorf("entry %d %s (argument %d): %s", n, ops.Show(e), i+1, parseMsg(err)))
				continue
			}
			if l := unmappedDrive(drives, op); l != "" {
				bad = append(bad, fmt.Errorf("entry %d %s (argument %d): %s", n, ops.Show(e), i+1, unmappedMsg(l)))
				continue
			}
			entries = append(entries, e)
			parsed = append(parsed, journal.NewEntry{Raw: e, Op: *op})
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
	if !o.atomic {
		first, err := smsini.AppendAt(ctx, g.iniPath(), entries)
		if err != nil {
			return err
		}
		fmt.Fprintf(g.stdout, "added %d entr%s to %s (%s)\n", len(entries), plural(len(entries), "y", "ies"), g.iniPath(), entryRange(first, len(entries)))
		printUndoNotes(g, parsed, first, false)
		return nil
	}
	b, err := g.addAtomic(ctx, parsed, journal.RollbackChoice(o.onRollback), o.failpoint)
	if err != nil {
		return err
	}
	fmt.Fprintf(g.stdout, "added %d entr%s to %s as atomic batch %d (after a rollback: %s)\n",
		len(entries), plural(len(entries), "y", "ies"), g.iniPath(), b.ID, o.onRollback)
	printUndoNotes(g, parsed, queued+1, true)
	return nil
}

// entryRange says which entries of the queue were added.
func entryRange(first, n int) string {
	if n == 1 {
		return fmt.Sprintf("entry %d of PendingWork", first)
	}
	return fmt.Sprintf("entries %d to %d of PendingWork", first, first+n-1)
}

// parseMsg is a parse error's message without the entry, which the
// caller prints once.
func parseMsg(err error) string {
	var pe *ops.ParseError
	if errors.As(err, &pe) {
		msg := pe.Msg
		if msg == "" && pe.Err != nil {
			msg = pe.Err.Error()
		}
		return fmt.Sprintf("column %d: %s", pe.Col, msg)
	}
	return err.Error()
}

// addAtomic appends entries as one atomic batch, through the journal.
func (g *globalOptions) addAtomic(ctx context.Context, entries []journal.NewEntry, c journal.RollbackChoice, fpSpec string) (journal.Batch, error) {
	fp, err := failpoint.Parse(fpSpec)
	if err != nil {
		return journal.Batch{}, usageErr("%v", err)
	}
	log, err := g.logger()
	if err != nil {
		return journal.Batch{}, err
	}
	j, err := g.openJournal(false)
	if err != nil {
		if errors.Is(err, journal.ErrLocked) {
			return journal.Batch{}, &exitError{code: exitLocked, err: fmt.Errorf("another smswork holds the journal, which --atomic records the batch in; nothing added, try again once it ends: %w", err)}
		}
		return journal.Batch{}, err
	}
	defer func() { _ = j.Close() }()
	return recovery.Add(ctx, recovery.Config{Ini: g.iniPath(), Journal: j, Log: log, Failpoint: fp}, entries, c)
}

// printUndoNotes says which entries cannot be undone: a rollback, or an
// undo, of their batch stops at the last of them. first is the position
// of entries[0] in the queue.
func printUndoNotes(g *globalOptions, entries []journal.NewEntry, first int, atomic bool) {
	last := 0
	for i, e := range entries {
		if why := ops.Irreversible(&e.Op); why != "" {
			fmt.Fprintf(g.stdout, "note: entry %d (%s) cannot be undone: %s\n", first+i, e.Raw, why)
			last = first + i
		}
	}
	if last == 0 {
		return
	}
	what := "an undo of this batch"
	if atomic {
		what = "a rollback (or an undo) of this batch"
	}
	fmt.Fprintf(g.stdout, "note: %s stops at entry %d: it and the entries before it keep their effects\n", what, last)
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
