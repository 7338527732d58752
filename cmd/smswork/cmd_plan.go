package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"smswork/backup"
	"smswork/ops"
	"smswork/recovery"
	"smswork/smsini"
)

func newPlanCommand(g *globalOptions) *cobra.Command {
	return &cobra.Command{
		Use:   "plan",
		Short: "Parse PendingWork and show what run would do; change nothing",
		Long: `plan reads SMS.INI, parses every entry of PendingWork and prints the numbered,
typed plan with each path resolved to the host (through --drive mappings).
It changes nothing. Every entry that does not parse is listed with
file:line:col, its position and text. An entry that cannot be undone (a run
operation) is marked: a rollback of an atomic batch, or an undo of a
finished one, stops at it.

Exit status: 0 every entry parses, 2 some entry does not.`,
		Example: `  smswork plan
  smswork --ini /mnt/c/SMS.INI --drive C=/mnt/c plan`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPlan(cmd.Context(), g)
		},
	}
}

func runPlan(_ context.Context, g *globalOptions) error {
	file, err := smsini.Read(g.iniPath())
	if err != nil {
		return err
	}
	parsed, bad := recovery.ParseEntries(g.iniPath(), file.Entries, 1)
	if len(bad) > 0 {
		return &recovery.InputError{Problems: bad}
	}
	drives, err := g.openDrives()
	if err != nil {
		return err
	}
	defer func() { _ = drives.Close() }()
	if len(parsed) == 0 {
		fmt.Fprintf(g.stdout, "%s: PendingWork is empty\n", g.iniPath())
		return nil
	}
	x := &ops.Executor{Drives: drives}
	for i, p := range parsed {
		fmt.Fprintf(g.stdout, "%3d  %s\n", i+1, describe(drives, &p.Op))
		if why := undoability(x, &p.Op); why != "" {
			fmt.Fprintf(g.stdout, "     cannot be undone: %s\n", why)
		}
	}
	printUndoNotes(g, parsed, 1, false)
	return nil
}

// undoability says why op cannot be undone, "" when it can: a run
// operation never, an rd /s of a folder too large to keep, as the files
// are now (reads only).
func undoability(x *ops.Executor, op *ops.Op) string {
	if why := ops.Irreversible(op); why != "" {
		return why
	}
	if op.Kind != ops.KindRD || !op.Recursive {
		return ""
	}
	in, err := x.Prepare(op, 0)
	if err != nil || backup.Plan(x.Drives, 0, 0, op, in) != nil {
		return "" // run reports it
	}
	return in.Irreversible
}

// describe prints an operation for people, with host paths.
func describe(d *ops.Drives, op *ops.Op) string {
	host := func(p ops.Path) string {
		h, err := d.HostPath(p)
		if err != nil {
			return fmt.Sprintf("%s (%v)", p, err)
		}
		return fmt.Sprintf("%s [%s]", p, h)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-5s", op.Kind)
	switch op.Kind {
	case ops.KindCopy:
		if op.Touch {
			fmt.Fprintf(&b, " touch %s", host(op.Src))
			break
		}
		fmt.Fprintf(&b, " %s -> %s", host(op.Src), host(op.Dst))
		if op.NoOverwrite {
			b.WriteString(", never overwrite")
		} else {
			b.WriteString(", overwrite")
		}
		if op.Verify {
			b.WriteString(", verify")
		}
		if op.ASCII {
			b.WriteString(", text (stop at Ctrl-Z)")
		}
	case ops.KindMove:
		fmt.Fprintf(&b, " %s -> %s", host(op.Src), host(op.Dst))
	case ops.KindDel, ops.KindMD, ops.KindRD:
		fmt.Fprintf(&b, " %s", host(op.Src))
		if op.Recursive {
			b.WriteString(", with everything in it")
		}
	case ops.KindRun:
		fmt.Fprintf(&b, " %q", op.Argv)
	}
	return b.String()
}
