package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"smswork/backup"
	"smswork/internal/fsroot"
	"smswork/ops"
	"smswork/ops/exec"
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
finished one, stops at it. A copy or move whose destination ends in a
backslash names a folder: where a file stands in its way (and no earlier
entry may change that), the entry can only fail, and plan says so; a
folder merely missing is noted.

Exit status: 0 every entry parses, 2 some entry does not, or cannot succeed.`,
		Example: `  smswork plan
  smswork --ini /mnt/c/SMS.INI --drive C=/mnt/c plan`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPlan(cmd.Context(), g)
		},
	}
}

func runPlan(_ context.Context, g *globalOptions) error {
	file, err := smsini.Read(g.ini)
	if err != nil {
		return err
	}
	parsed, bad := recovery.ParseEntries(g.ini, file.Entries, 1)
	if len(bad) > 0 {
		return &recovery.InputError{Problems: bad}
	}
	drives, err := g.openDrives()
	if err != nil {
		return err
	}
	defer func() { _ = drives.Close() }()
	if len(parsed) == 0 {
		fmt.Fprintf(g.stdout, "%s: PendingWork is empty\n", g.ini)
		return nil
	}
	x := &exec.Executor{Drives: drives}
	var impossible []error
	for i, p := range parsed {
		fmt.Fprintf(g.stdout, "%3d  %s\n", i+1, describe(drives, &p.Op))
		if why := undoability(x, &p.Op); why != "" {
			fmt.Fprintf(g.stdout, "     cannot be undone: %s\n", why)
		}
		problem, note := folderProblem(drives, parsed, i)
		if problem != "" {
			fmt.Fprintf(g.stdout, "     error: %s\n", problem)
			impossible = append(impossible, fmt.Errorf("entry %d %q: %s", i+1, p.Raw, problem))
		}
		if note != "" {
			fmt.Fprintf(g.stdout, "     note: %s\n", note)
		}
	}
	printUndoNotes(g, parsed, false)
	if len(impossible) > 0 {
		return &exitError{code: exitUsage, err: joinErrors("entries that cannot succeed", impossible)}
	}
	return nil
}

// undoability says why op cannot be undone, "" when it can: a run
// operation never, an rd /s of a folder too large to keep, as the files
// are now (reads only).
func undoability(x *exec.Executor, op *ops.Op) string {
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
func describe(d *fsroot.Drives, op *ops.Op) string {
	host := func(p ops.Path) string {
		h, err := d.HostPath(p)
		if err != nil {
			return fmt.Sprintf("%s (%v)", p, err)
		}
		return fmt.Sprintf("%s [%s]", p, h)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%-5s", op.Kind)
	switch {
	case op.Kind == ops.KindRun:
		fmt.Fprintf(&b, " %q", op.Argv)
	case op.Touch:
		fmt.Fprintf(&b, " touch %s", host(op.Src))
	case op.Kind == ops.KindRen:
		fmt.Fprintf(&b, " %s -> %s (same folder)", host(op.Src), op.NewName)
	case !op.Dst.IsZero():
		b.WriteString(" " + host(op.Src))
		for _, j := range op.Join {
			b.WriteString(" + " + host(j.Path))
		}
		dst := host(op.Dst)
		if op.DstDir {
			dst += " (a folder: it must exist)"
		}
		fmt.Fprintf(&b, " -> %s", dst)
	default:
		fmt.Fprintf(&b, " %s", host(op.Src))
	}
	for _, sw := range []struct {
		on   bool
		text string
	}{
		{op.Kind == ops.KindCopy && !op.Touch && op.NoOverwrite, ", never overwrite"},
		{op.Kind == ops.KindCopy && !op.Touch && !op.NoOverwrite, ", overwrite"},
		{op.Verify, ", verify"},
		{len(op.Join) > 0, ", joined into one file"},
		{op.ASCII, ", text (stop at Ctrl-Z)"},
		{op.DstASCII, ", Ctrl-Z at the end"},
		{op.Recursive, ", with everything in it"},
	} {
		if sw.on {
			b.WriteString(sw.text)
		}
	}
	return b.String()
}
