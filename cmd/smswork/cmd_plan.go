package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"smswork/backup"
	"smswork/internal/fsroot"
	"smswork/journal"
	"smswork/ops"
	"smswork/ops/exec"
	"smswork/recovery"
	"smswork/smsini"
)

type planOptions struct {
	json bool
}

func newPlanCommand(g *globalOptions) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "Show what run would do now, and the checks it would fail; change nothing",
		Long: `plan shows what 'smswork run' would do if it ran now, in the order it would:
the operations the journal holds (queued, failed at their last attempt, held,
decided, interrupted), then the entries of PendingWork the journal has not
taken in yet, each numbered by its place in the queue, typed, with its paths
resolved to the host (through the drive mappings) and a wildcard expanded.

It makes the checks run makes before it touches anything, and those it can
make of each operation from here: SMS.INI, the journal and their folders
must be safe from others (run's permission refusal); every entry must parse
and name mapped drives; a source must exist, and a destination's folder (an
entry before it that creates them counts; after a program, whose effects are
unknown, it cannot tell); a destination ending in a backslash names a folder,
and where a file stands in its way the entry can only fail; a held operation
stops run until decided. An entry
that cannot be undone (a run operation) is marked: a rollback of an atomic
batch, or an undo of a finished one, stops at it.

plan changes nothing: it reads the journal for an instant and lets it go,
and while a run holds the journal it says what the run is doing (from its
status file) and lists SMS.INI's entries, which the run is working through.

Exit status: the one run would have now, as far as plan can tell: 0 all
clear, 1 an operation would fail, 2 run would refuse (bad input, an
unmapped drive, permissions), 3 run would stop at a held operation; 4 a
run is in progress and work remains; 75 another smswork holds the journal;
3010 an operation waits for the reboot (a file in use, handed to Session
Manager now or by an earlier run): plan marks it and what waits with it.`,
		Example: `  smswork plan
  smswork plan --json | jq '.entries[] | select(.problem != "")'
  smswork --ini /mnt/c/SMS.INI --drive C=/mnt/c plan`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPlan(cmd.Context(), g, o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object")
	return cmd
}

// planReport is what plan prints; its JSON form is for machines.
type planReport struct {
	Ini        string `json:"ini"`
	Journal    string `json:"journal"`
	IniMissing bool   `json:"iniMissing"`
	// RunInProgress says a run holds the journal: Run is its status file,
	// Entries are SMS.INI's (what it is working through), unchecked.
	RunInProgress bool      `json:"runInProgress"`
	Run           *runState `json:"run,omitempty"`
	// Refused says why run would refuse to start (its permission check).
	Refused []string    `json:"refused"`
	Entries []planEntry `json:"entries"`
	// Exit is plan's exit status: the one run would have now.
	Exit    int    `json:"exit"`
	Summary string `json:"summary"`
}

// planEntry is one operation run would take, in order.
type planEntry struct {
	// N is the operation's place in the queue.
	N int `json:"n"`
	// From is "journal" (Seq, Batch, Pos say which) or "SMS.INI" (an entry
	// not taken in yet, at Line:Col).
	From  string `json:"from"`
	Seq   uint64 `json:"seq,omitempty"`
	Batch uint64 `json:"batch,omitempty"`
	Pos   int    `json:"pos,omitempty"`
	Line  int    `json:"line,omitempty"`
	Col   int    `json:"col,omitempty"`
	Raw   string `json:"raw"`
	Op    ops.Op `json:"op"`
	// State is queued, failed, held, decided, interrupted or new.
	State string `json:"state"`
	// Does says what it does, host paths included; Intent is the
	// expansion run would record now (nil when it cannot be made).
	Does   string      `json:"does"`
	Intent *ops.Intent `json:"intent,omitempty"`
	// Note says more (a decision, a failure, why a check cannot tell);
	// Problem is why run would fail it now, or refuse it.
	Note       string `json:"note,omitempty"`
	Problem    string `json:"problem,omitempty"`
	CannotUndo string `json:"cannotUndo,omitempty"`

	input bool // Problem makes run refuse (exit 2)
	held  bool // run stops here until a person decides
	// reboot says it waits for the reboot (a file in use handed to
	// Session Manager, now or by an earlier run); waiting are the paths
	// it may still change then.
	reboot  bool
	waiting []ops.Path
	// decision is a person's decision for the operation.
	decision journal.Decision
	entry    journal.NewEntry
}

// Decision is a person's decision for the operation ("" for none).
func (e *planEntry) Decision() journal.Decision { return e.decision }

func runPlan(_ context.Context, g *globalOptions, o *planOptions) error {
	rep := &planReport{Ini: g.iniPath(), Journal: g.journalPath(), Refused: []string{}, Entries: []planEntry{}}
	ini, err := g.statIni(false)
	if err != nil {
		return err
	}
	rep.IniMissing = ini.missing
	var queue []journal.Entry
	var known []string
	j, err := g.openJournal(true)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case errors.Is(err, journal.ErrLocked):
		return planInProgress(g, o, rep, err)
	case err != nil:
		return err
	default:
		// An instant: the journal is let go before any file is looked at.
		queue, known, err = planJournal(j)
		_ = j.Close()
		if err != nil {
			return err
		}
	}
	if err := ini.wrongPath(g, len(queue) == 0); err != nil {
		return err
	}
	file, err := smsini.Read(g.iniPath())
	if err != nil {
		return recovery.ReadProblems(g.iniPath(), err)
	}
	appended, _ := recovery.Appended(file.Entries, known)
	firstPos := len(file.Entries) - len(appended) + 1
	parsed, bad := recovery.ParseEntries(g.iniPath(), appended, firstPos)
	if len(bad) > 0 {
		return &recovery.InputError{Problems: bad}
	}
	drives, err := g.openDrives()
	if err != nil {
		return err
	}
	defer func() { _ = drives.Close() }()
	if err := g.permissionProblems(); err != nil {
		for _, e := range unjoin(err) {
			rep.Refused = append(rep.Refused, e.Error())
		}
	}
	for i := range queue {
		rep.Entries = append(rep.Entries, journalPlanEntry(&queue[i]))
	}
	for i, p := range parsed {
		rep.Entries = append(rep.Entries, planEntry{From: "SMS.INI", Line: appended[i].Line, Col: appended[i].Col, Raw: p.Raw, Op: p.Op, State: "new", entry: p})
	}
	planned := make([]journal.NewEntry, len(rep.Entries))
	for i := range rep.Entries {
		planned[i] = journal.NewEntry{Raw: rep.Entries[i].Raw, Op: rep.Entries[i].Op}
	}
	x := &exec.Executor{Drives: drives}
	sim := &planSim{x: x, created: map[string]int{}, removed: map[string]int{}}
	for i := range rep.Entries {
		e := &rep.Entries[i]
		e.N = i + 1
		e.Does = describe(drives, &e.Op)
		sim.check(e)
		if e.reboot {
			e.Problem = "" // it is confirmed from its intent, not prepared again
		} else {
			g.planInUse(drives, e)
		}
		if problem, note := folderProblem(drives, planned, i); problem != "" && e.Problem == "" {
			e.Problem = problem
		} else if note != "" {
			e.setNote(note)
		}
		if why := undoability(x, &e.Op); why != "" {
			e.CannotUndo = why
		}
	}
	rep.judge(g)
	if o.json {
		if err := json.NewEncoder(g.stdout).Encode(rep); err != nil {
			return err
		}
	} else {
		printPlan(g, rep, ini)
	}
	if rep.Exit == exitOK {
		return nil
	}
	return &exitError{code: rep.Exit, err: errors.New(rep.Summary)}
}

// planJournal reads what the journal would have run do: its operations
// not committed, in order, and what it says SMS.INI lists.
func planJournal(j *journal.Journal) (queue []journal.Entry, known []string, err error) {
	err = j.View(func(tx *journal.Tx) error {
		m, err := tx.Mirror()
		if err != nil {
			return err
		}
		return tx.Queue(func(e *journal.Entry) error {
			if e.Seq >= m.Start {
				known = append(known, e.Raw)
			}
			if e.State != journal.Committed && e.State != journal.Staged {
				queue = append(queue, *e)
			}
			return nil
		})
	})
	return queue, known, err
}

// journalPlanEntry is what plan says of an operation the journal holds.
func journalPlanEntry(e *journal.Entry) planEntry {
	p := planEntry{From: "journal", Seq: e.Seq, Batch: e.Batch, Pos: e.Pos, Raw: e.Raw, Op: e.Op, State: "queued",
		entry: journal.NewEntry{Raw: e.Raw, Op: e.Op}}
	switch {
	case e.Decision != "":
		p.State, p.decision = "decided", e.Decision
		p.Note = fmt.Sprintf("%s, decided by %s: run %s it", e.Decision, e.DecidedBy, map[journal.Decision]string{journal.Skip: "skips", journal.Rerun: "runs"}[e.Decision])
	case e.State == journal.Held:
		p.State, p.held = "held", true
		p.Note = "held: " + e.HeldReason
	case e.Failure != "":
		p.State = "failed"
		p.Note = "its last attempt failed: " + firstLine(e.Failure) + "; run tries it again"
	case e.State == journal.Reboot:
		p.State, p.reboot = "reboot", true
		p.Note = "waits for the reboot: run confirms what Session Manager did at boot (before the reboot it still waits)"
		if e.Intent != nil && e.Intent.Handoff != nil {
			for _, hf := range e.Intent.Handoff.Files {
				p.waiting = append(p.waiting, hf.Target)
				what := "replaced by its staged copy " + hf.Stage
				if hf.Stage == "" {
					what = "deleted"
				}
				p.Note += fmt.Sprintf("; %s is %s at boot", hf.Target, what)
			}
		}
		p.waiting = append(p.waiting, e.Op.Paths()...)
	case e.State == journal.Intent:
		p.State = "interrupted"
		p.Note = "interrupted: run finishes it from its intent"
		if e.Op.Kind == ops.KindRun {
			p.Note = "interrupted: run runs it again, or holds it (--interrupted, --max-attempts)"
		}
	}
	return p
}

// planInProgress is plan while a run holds the journal.
func planInProgress(g *globalOptions, o *planOptions, rep *planReport, lockErr error) error {
	st, err := readRunState(g.journalPath())
	if err != nil {
		return err
	}
	if !st.running() {
		return &exitError{code: exitLocked, err: fmt.Errorf("another smswork holds the journal, and it is not a run: try again in a moment: %w", lockErr)}
	}
	rep.RunInProgress, rep.Run = true, st
	file, err := smsini.Read(g.iniPath())
	if err != nil {
		return recovery.ReadProblems(g.iniPath(), err)
	}
	drives, err := g.openDrives()
	if err != nil {
		return err
	}
	defer func() { _ = drives.Close() }()
	for i, en := range file.Entries {
		e := planEntry{N: i + 1, From: "SMS.INI", Line: en.Line, Col: en.Col, Raw: en.Text, State: "listed"}
		if op, err := ops.Parse(en.Text); err == nil {
			e.Op, e.Does = *op, describe(drives, op)
		} else {
			e.Problem = parseMsg(err)
		}
		rep.Entries = append(rep.Entries, e)
	}
	rep.Exit = exitOK
	rep.Summary = fmt.Sprintf("a %s is in progress: %s", st.Kind, st.counts())
	if st.Open != 0 {
		rep.Exit = exitWaiting
	}
	if o.json {
		if err := json.NewEncoder(g.stdout).Encode(rep); err != nil {
			return err
		}
	} else {
		printInProgress(g.stdout, st, statusFileName(g.journalPath()))
		fmt.Fprintf(g.stdout, "the journal is the %s's until it ends; SMS.INI lists what it has not finished (it may trail the run by a few entries):\n", st.Kind)
		for _, e := range rep.Entries {
			fmt.Fprintf(g.stdout, "%3d  %s\n", e.N, e.Raw)
		}
	}
	if rep.Exit == exitOK {
		return nil
	}
	return &exitError{code: rep.Exit, err: errors.New(rep.Summary)}
}

// judge sets plan's exit status and summary: what run would exit with.
func (rep *planReport) judge(g *globalOptions) {
	stop := g.set.OnError == "stop"
	input, stopped := 0, 0
	failing := 0
	rebootAt := 0
	var waiting []ops.Path
	for i := range rep.Entries {
		e := &rep.Entries[i]
		switch {
		case e.Problem != "" && e.input:
			input++
		case stopped != 0:
			e.setNote(fmt.Sprintf("not reached: run stops at entry %d", stopped))
		case rebootAt != 0 && (g.set.OnReboot != "continue" || e.Op.Kind == ops.KindRun || recovery.TouchesAny(e.Op.Paths(), waiting)):
			stopped = e.N
			e.setNote(fmt.Sprintf("waits for the reboot: run stops here, after entry %d waits for it (--on-reboot=%s)", rebootAt, g.set.OnReboot))
		case e.reboot:
			if rebootAt == 0 {
				rebootAt = e.N
			}
			waiting = append(waiting, e.waiting...)
		case e.held:
			stopped = e.N
			rep.Exit = exitHeld
		case e.Problem != "":
			failing++
			if stop {
				stopped = e.N
			}
			if rep.Exit == exitOK {
				rep.Exit = exitFailed
			}
		}
	}
	switch {
	case len(rep.Refused) > 0 || input > 0:
		rep.Exit = exitUsage
		rep.Summary = fmt.Sprintf("run would refuse to start: %d problem(s) of input or permissions, nothing would run", len(rep.Refused)+input)
	case rep.Exit == exitHeld:
		rep.Summary = fmt.Sprintf("run would stop at entry %d, held for a decision (%s)", stopped, g.command("status"))
	case rep.Exit == exitFailed:
		rep.Summary = fmt.Sprintf("%d operation(s) would fail now; run exits 1", failing)
		if stop {
			rep.Summary += fmt.Sprintf(" (the queue stops at entry %d)", stopped)
		}
	case rebootAt != 0:
		rep.Exit = exitReboot
		rep.Summary = fmt.Sprintf("entry %d waits for the reboot (a file in use handed to Session Manager): before the reboot run exits 3010; after it run confirms it and goes on", rebootAt)
	case len(rep.Entries) == 0:
		rep.Summary = "nothing queued: run has nothing to do"
	default:
		rep.Summary = fmt.Sprintf("run would run %d operation(s); no check fails", len(rep.Entries))
	}
}

// printPlan prints the plan for people.
func printPlan(g *globalOptions, rep *planReport, ini *iniState) {
	w := g.stdout
	if n := ini.notice(len(rep.Entries) == 0); n != "" {
		fmt.Fprintln(w, n)
	}
	for _, r := range rep.Refused {
		fmt.Fprintf(w, "run would refuse to start: %s\n", r)
	}
	if len(rep.Refused) > 0 {
		fmt.Fprintln(w, "  (make them writable by their owner only, owned by root or this user; or run with --insecure-permissions)")
	}
	for _, e := range rep.Entries {
		fmt.Fprintf(w, "%3d  %s\n", e.N, e.Does)
		if e.From == "journal" {
			fmt.Fprintf(w, "     %s  (in the journal: operation %d, batch %d entry %d, %s)\n", e.Raw, e.Seq, e.Batch, e.Pos, e.State)
		}
		printIntent(w, &e)
		if e.Note != "" {
			fmt.Fprintf(w, "     %s\n", e.Note)
		}
		if e.Problem != "" {
			fmt.Fprintf(w, "     PROBLEM: %s\n", e.Problem)
		}
		if e.CannotUndo != "" {
			fmt.Fprintf(w, "     cannot be undone: %s\n", e.CannotUndo)
		}
	}
	var entries []journal.NewEntry
	for _, e := range rep.Entries {
		entries = append(entries, e.entry)
	}
	printUndoNotes(g, entries, 1, false)
	fmt.Fprintf(w, "plan: %s\n", rep.Summary)
}

// printIntent lists a wildcard's expansion, or a copy into a folder.
func printIntent(w io.Writer, e *planEntry) {
	in := e.Intent
	if in == nil || (e.Op.Kind != ops.KindCopy && e.Op.Kind != ops.KindMove && e.Op.Kind != ops.KindDel) {
		return
	}
	if len(in.Items) == 1 && !e.Op.Src.HasWildcard() && in.Items[0].Dst == e.Op.Dst {
		return
	}
	const most = 10
	for i, it := range in.Items {
		if i == most {
			fmt.Fprintf(w, "       … and %d more\n", len(in.Items)-most)
			break
		}
		if it.Dst.IsZero() {
			fmt.Fprintf(w, "       %s\n", it.Src)
		} else {
			fmt.Fprintf(w, "       %s -> %s\n", it.Src, it.Dst)
		}
	}
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
		for _, a := range op.Argv {
			b.WriteString(" " + ops.Show(a))
		}
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

// planInUse marks an entry whose file is in use now (Windows): run hands
// it to Session Manager and waits for the reboot (--in-use=reboot), or
// fails (--in-use=fail).
func (g *globalOptions) planInUse(drives *fsroot.Drives, e *planEntry) {
	if e.Intent == nil || e.Problem != "" || e.Op.Kind != ops.KindCopy && e.Op.Kind != ops.KindMove && e.Op.Kind != ops.KindDel {
		return
	}
	for _, it := range e.Intent.Items {
		target := it.Dst
		if e.Op.Kind == ops.KindDel {
			target = it.Src
		}
		root, err := drives.Root(target.Drive)
		if err != nil || !fsroot.ProbeInUse(root, target.Rel) {
			continue
		}
		if g.set.InUse != "reboot" {
			e.Problem = fmt.Sprintf("%s is in use by another program (--in-use=fail: run stops here, the next boot tries again)", target)
			return
		}
		e.reboot = true
		e.waiting = append(e.waiting, e.Op.Paths()...)
		e.waiting = append(e.waiting, target)
		e.setNote(fmt.Sprintf("%s is in use now: run hands it to Session Manager and the operation waits for the reboot", target))
	}
}
