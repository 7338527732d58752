package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/user"
	"strconv"

	"github.com/spf13/cobra"

	"smswork/journal"
	"smswork/recovery"
)

type undoOptions struct {
	partial             bool
	force               bool
	insecurePermissions bool
}

func newUndoCommand(g *globalOptions) *cobra.Command {
	o := &undoOptions{}
	cmd := &cobra.Command{
		Use:   "undo BATCH",
		Short: "Restore what a finished batch replaced or deleted",
		Long: `undo puts back, in reverse order, the prior state of every file a finished
batch changed: files it overwrote or deleted come back from the backup folder,
files and folders it created go, folders it removed or moved come back. The
batch number is in 'smswork history' and 'smswork status'.

The undo is journaled like any other work: its intent is durable before it
touches anything, each operation it undoes gets an audit record (outcome
undone), and a crash at any point is finished by the next start of smswork.

undo refuses (exit status 2, nothing changed) a batch that has not finished,
was undone or dropped already, or whose backups the retention setting
(--keep-backups) removed; a batch that holds a run operation, whose effects
smswork cannot know (--partial undoes the operations after the last such
one); and a batch whose results were changed since by something else
(--force undoes anyway, overwriting the later change).

Exit status: 0 undone, 1 an undo step failed (the next start tries it
again), 2 refused, 75 another smswork holds the journal.`,
		Example: `  smswork history --json | jq .batch    # find the batch
  smswork undo 12
  smswork undo 12 --partial`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := strconv.ParseUint(args[0], 10, 64)
			if err != nil || id == 0 {
				return usageErr("undo %q: want a batch number", args[0])
			}
			return runUndo(cmd.Context(), g, o, id, os.Getenv("SMSWORK_FAILPOINT"))
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.partial, "partial", false, "undo back to the last operation that cannot be undone (a run), instead of refusing")
	f.BoolVar(&o.force, "force", false, "undo even where a path changed after the batch ran")
	f.BoolVar(&o.insecurePermissions, "insecure-permissions", false, "undo even if others can change SMS.INI, the journal or their folders (UNSAFE)")
	return cmd
}

func runUndo(ctx context.Context, g *globalOptions, o *undoOptions, id uint64, fpSpec string) error {
	ro := settingsRunOptions(g)
	ro.insecurePermissions = o.insecurePermissions
	cfg, cleanup, err := g.recoveryConfig(ro, fpSpec)
	if err != nil {
		return err
	}
	defer cleanup()
	sw := newStatusWriter(g.journalPath(), "undo", cfg.Log)
	cfg.OnRecord = func(r *journal.Record) { printRecord(g.stdout, r) }
	cfg.OnProgress = sw.progress
	sum, err := recovery.Undo(ctx, cfg, id, recovery.UndoOptions{Partial: o.partial, Force: o.force, By: whoAmI()})
	if sum != nil {
		for _, u := range sum.Undos {
			printUndo(g.stdout, u)
		}
	}
	var refused *recovery.UndoRefused
	switch {
	case errors.As(err, &refused):
		err = &exitError{code: exitUsage, err: err}
	case errors.Is(err, journal.ErrNotFound):
		err = &exitError{code: exitUsage, err: fmt.Errorf("batch %d: %w", id, err)}
	}
	result := fmt.Sprintf("batch %d undone", id)
	if err != nil {
		result = err.Error()
	}
	sw.finish(nil, exitCodeOf(err), result)
	return err
}

// whoAmI names the person asking, for the audit: the user, and the one
// behind sudo when there is one ("root (sudo by alice)").
func whoAmI() string {
	name := strconv.Itoa(os.Getuid())
	if u, err := user.Current(); err == nil {
		name = u.Username
	}
	if by := os.Getenv("SUDO_USER"); by != "" && by != name {
		name += " (sudo by " + by + ")"
	}
	return name
}
