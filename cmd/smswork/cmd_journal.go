package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"smswork/internal/filelock"
	"smswork/journal"
	"smswork/ops"
	"smswork/smsini"
)

// salvageOptions are the flags of smswork journal salvage.
type salvageOptions struct {
	// force rebuilds a journal found sound too.
	force bool
	// iniLockWait bounds the wait for SMS.INI's lock.
	iniLockWait time.Duration
}

func newJournalCommand(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "journal",
		Short: "Look after the journal file itself: salvage a damaged one",
		Long: `journal groups the commands that work on the journal file itself rather than
on what it records. 'smswork journal salvage' rebuilds a damaged journal.`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(newSalvageCommand(g))
	return cmd
}

func newSalvageCommand(g *globalOptions) *cobra.Command {
	o := &salvageOptions{iniLockWait: 30 * time.Second}
	cmd := &cobra.Command{
		Use:   "salvage",
		Short: "Set a damaged journal aside and rebuild it from what can still be read",
		Long: `salvage rebuilds a journal that smswork found damaged (pages overwritten, torn
or cut off by a hard reset or a failing disk; run, status, history and verify
then refuse it with exit status 2).

It takes the journal's lock and SMS.INI's, reads the damaged file page by page
without trusting any of it, and keeps it, renamed to JOURNAL.broken-TIME. The
new journal holds every audit record that still matches its hash (a marker
with outcome "lost" stands for each run of records that could not be read,
so that 'smswork verify' is clean and the loss is recorded) and every queue
entry it can still read. Every operation whose state cannot be known is held
for 'smswork resolve': one found with an intent marker and no commit, one
whose record was lost while SMS.INI still lists it, the one a lost newest
transaction may have started, and, when SMS.INI cannot be matched entry by
entry to the journal, every entry of SMS.INI. An operation SMS.INI no longer
lists was done and does not come back. It prints what it kept, lost and held.

Exit status: 0 salvaged, 2 the journal is not damaged (nothing to do; --force
rebuilds it anyway) or there is none, 75 another smswork holds the journal.`,
		Example: `  smswork journal salvage
  smswork status                 # what is held
  smswork resolve 7 skip         # decide each held operation
  smswork run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSalvage(cmd.Context(), g, o)
		},
	}
	cmd.Flags().BoolVar(&o.force, "force", false, "rebuild the journal even when it is not damaged")
	return cmd
}

// runSalvage is smswork journal salvage.
func runSalvage(ctx context.Context, g *globalOptions, o *salvageOptions) error {
	path := g.journalPath()
	host, _ := os.Hostname()
	var iniLock *filelock.Lock
	defer func() {
		if iniLock != nil {
			_ = iniLock.Unlock()
		}
	}()
	res, err := journal.Salvage(path, journal.SalvageOptions{
		ReadIni: func() ([]string, error) {
			lctx, cancel := context.WithTimeout(ctx, o.iniLockWait)
			defer cancel()
			l, err := smsini.Lock(lctx, g.iniPath())
			if err != nil {
				return nil, fmt.Errorf("lock %s: %w", g.iniPath(), err)
			}
			iniLock = l
			f, err := smsini.Read(g.iniPath())
			if err != nil {
				return nil, err
			}
			return f.Texts(), nil
		},
		Parse: ops.Parse, Force: o.force, Host: host, Version: version,
	})
	switch {
	case errors.Is(err, journal.ErrSound):
		return &exitError{code: exitUsage, err: fmt.Errorf("%w (verify names any record whose hash fails; --force rebuilds the journal anyway)", err)}
	case errors.Is(err, journal.ErrLocked):
		return &exitError{code: exitLocked, err: fmt.Errorf("another smswork is running: %w", err)}
	case errors.Is(err, os.ErrNotExist):
		return &exitError{code: exitUsage, err: fmt.Errorf("no journal to salvage: %w", err)}
	case err != nil:
		return err
	}
	printSalvage(g.stdout, path, res)
	return nil
}

// printSalvage prints what a salvage did.
func printSalvage(w io.Writer, path string, res *journal.SalvageResult) {
	if len(res.Damage) == 0 {
		fmt.Fprintf(w, "journal %s was not damaged; rebuilt (--force)\n", path)
	} else {
		fmt.Fprintf(w, "journal %s was damaged:\n", path)
	}
	for i, d := range res.Damage {
		if i == 10 {
			fmt.Fprintf(w, "  ... and %d more\n", len(res.Damage)-i)
			break
		}
		fmt.Fprintf(w, "  %v\n", d)
	}
	fmt.Fprintf(w, "damaged file kept as %s\n", res.Broken)
	fmt.Fprintf(w, "history: %d record(s) kept, %d lost", res.Kept, res.Lost)
	if res.Scattered > 0 {
		fmt.Fprintf(w, " (%d of those kept found in pages the tree no longer reached)", res.Scattered)
	}
	if res.Relinked > 0 {
		fmt.Fprintf(w, " (%d kept record(s) relinked to the chain)", res.Relinked)
	}
	fmt.Fprintln(w)
	if res.LostUnknown {
		fmt.Fprintln(w, "  records after the last one kept may be lost too: the damage took what numbered them")
	}
	if !res.Exact {
		fmt.Fprintln(w, "SMS.INI could not be matched entry by entry to the journal: every entry it lists is held")
	}
	if res.Stale {
		fmt.Fprintln(w, "a meta page was damaged: the newest transaction may be lost, and the operation it may have started is held")
	}
	fmt.Fprintf(w, "queue: %d operation(s) kept, %d held for a decision\n", res.Queue, len(res.Held))
	for _, e := range res.Held {
		fmt.Fprintf(w, "  #%d (batch %d, entry %d) %s\n      decide: smswork resolve %d rerun|skip\n", e.Seq, e.Batch, e.Pos, e.Raw, e.Seq)
	}
	for _, d := range res.Dropped {
		fmt.Fprintf(w, "not carried over: %s\n", d)
	}
	if len(res.NoUndo) > 0 {
		fmt.Fprintf(w, "batches that lost undo steps and can no longer be undone: %v\n", res.NoUndo)
	}
	if len(res.Held) > 0 {
		fmt.Fprintln(w, "next: smswork status (each held operation and why), smswork resolve ID rerun|skip, then smswork run")
	}
}

// damageAdvice says what to do about a damaged journal (err wraps
// journal.ErrDamaged): printed after the error by main.
func damageAdvice(err error) string {
	path := "the journal"
	var de *journal.DamageError
	if errors.As(err, &de) {
		path = de.Path
	}
	return fmt.Sprintf("smswork: %s cannot be trusted, so nothing is run on it and SMS.INI is left as it is.\n"+
		"smswork: to go on, run 'smswork journal salvage' (with the same --ini and --journal): it keeps the damaged\n"+
		"smswork: file as %s.broken-TIME, rebuilds the journal from what can still be read, and holds every\n"+
		"smswork: operation whose state cannot be known for 'smswork resolve'. See the README, \"Damage and salvage\".\n",
		path, path)
}
