package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"smswork/backup"
	"smswork/journal"
	"smswork/smsini"
)

type statusOptions struct {
	json bool
}

// statusReport is what status prints; its JSON form is for machines.
type statusReport struct {
	Ini     string `json:"ini"`
	Journal string `json:"journal"`
	// IniMissing says there is no SMS.INI at Ini.
	IniMissing bool `json:"iniMissing"`
	// State sums it up: "ok", "waiting", "failed", "held", and Exit is
	// status's exit status (see exitCodes).
	State string `json:"state"`
	Exit  int    `json:"exit"`
	// RunInProgress says a run (or an undo) holds the journal: Run is its
	// status file, and the lists below are empty (the journal is the
	// run's). Otherwise Run, when set, is the last run's.
	RunInProgress bool      `json:"runInProgress"`
	Run           *runState `json:"run,omitempty"`
	// Held operations wait for a person (smswork resolve); Failed ones
	// failed at their last attempt and stay queued; Decided ones, held or
	// failed, have a decision the next run acts on.
	Held    []journal.Entry `json:"held"`
	Failed  []journal.Entry `json:"failed"`
	Decided []journal.Entry `json:"decided"`
	Queued  []journal.Entry `json:"queued"`
	// Interrupted operations have an intent marker and no commit.
	Interrupted []journal.Entry `json:"interrupted"`
	// Reboot operations wait for the next boot: a file in use was handed
	// to Session Manager (their intent's handoff says which).
	Reboot []journal.Entry `json:"reboot"`
	// PendingRenames are every rename and delete Session Manager performs
	// at the next boot (Windows), ours marked; PendingRenamesError says
	// why they could not be read.
	PendingRenames      []pendingRename `json:"pendingRenames"`
	PendingRenamesError string          `json:"pendingRenamesError,omitempty"`
	// NotIngested are SMS.INI entries the journal has not taken in yet.
	NotIngested []string `json:"notIngested"`
	// Backups is the backup folder's use, and the batches it serves.
	Backups backupStatus `json:"backups"`
	// Commands are what to do next, one per state found.
	Commands []string `json:"commands"`

	// known are the entries the journal says SMS.INI lists.
	known []string
}

// backupStatus is what status reports of backups and undo.
type backupStatus struct {
	Dir string `json:"dir"`
	// Kept is what the journal counts for batches whose backups are
	// kept (the retention setting bounds it); OnDisk and Files are what
	// the folder holds (a file linked twice counted once).
	Kept   uint64 `json:"kept"`
	OnDisk int64  `json:"onDisk"`
	Files  int    `json:"files"`
	// Undoable lists finished batches that can still be undone, newest
	// first (at most statusBatches).
	Undoable []journal.Batch `json:"undoable"`
	// Atomic lists atomic batches with work left; Undoing, batches whose
	// undo a crash interrupted (the next start finishes it).
	Atomic  []journal.Batch `json:"atomic"`
	Undoing []journal.Batch `json:"undoing"`
}

// statusBatches bounds the undoable batches status lists.
const statusBatches = 20

func newStatusCommand(g *globalOptions) *cobra.Command {
	o := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "Show what is held, failed, pending or interrupted, and what to do",
		Long: `status reads the journal and SMS.INI without changing either, and lists the
operations held for a decision, those whose last attempt failed (they stay
queued and are tried again at the next run), those a person decided (the next
run acts on it), those queued, those interrupted (an intent marker and no
commit), and the entries of PendingWork the journal has not taken in yet,
each state with the exact command that deals with it; then the backup
folder's disk use, the atomic batches with work left, any undo a crash
interrupted, and the finished batches that can still be undone.

While a run holds the journal, status answers from the run's status file
(JOURNAL.status): that a run is in progress, what it is doing and how far it
is; its exit status then follows the same rules for what the run has met.

status exits 0 only when nothing is held, failed or waiting, so a
monitoring check can use it as it is:

  0  nothing held, failed or waiting
  1  an operation failed at its last attempt (smswork resolve ID skip, or fix
     the cause: the next run tries it again)
  3  an operation is held for a decision (smswork resolve ID rerun|skip)
  3010 work waits for the reboot: files in use were handed to Windows'
     Session Manager ("reboot needed to finish N operations")
  4  work waits for the next run: queued, interrupted or decided
     operations, entries not yet taken in, an undo to finish
  2  bad input (a configuration file or SMS.INI that is wrong, a wrong path)
  75 another smswork that is not a run holds the journal

held wins over failed, failed over the reboot, the reboot over waiting.

It also lists every rename and delete Windows' Session Manager will perform
at the next boot (PendingFileRenameOperations, read-only, shown as
Sysinternals PendMoves shows them), ours marked with their operation.`,
		Example: `  smswork status
  smswork status --json | jq .state
  smswork status >/dev/null; echo $?    # a monitoring check`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runStatus(cmd.Context(), g, o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object")
	return cmd
}

func runStatus(_ context.Context, g *globalOptions, o *statusOptions) error {
	rep := statusReport{Ini: g.iniPath(), Journal: g.journalPath(), Queued: []journal.Entry{},
		Interrupted: []journal.Entry{}, Reboot: []journal.Entry{}, PendingRenames: []pendingRename{}, Held: []journal.Entry{}, Failed: []journal.Entry{}, Decided: []journal.Entry{},
		NotIngested: []string{}, Commands: []string{},
		Backups: backupStatus{Dir: g.backupDir(), Undoable: []journal.Batch{}, Atomic: []journal.Batch{}, Undoing: []journal.Batch{}}}
	ini, err := g.statIni(false)
	if err != nil {
		return err
	}
	rep.IniMissing = ini.missing
	if rep.Run, err = readRunState(g.journalPath()); err != nil {
		return err
	}
	j, err := g.openJournal(true)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := ini.wrongPath(g, true); err != nil {
			return err
		}
	case errors.Is(err, journal.ErrLocked):
		return statusInProgress(g, o, &rep)
	case err != nil:
		return err
	default:
		defer func() { _ = j.Close() }()
		if err := journalStatus(j, &rep); err != nil {
			return err
		}
		_ = j.Close() // before the files are read: a boot's run need not wait
		work := len(rep.Held)+len(rep.Failed)+len(rep.Decided)+len(rep.Queued)+len(rep.Interrupted)+len(rep.Reboot) > 0
		if err := ini.wrongPath(g, !work); err != nil {
			return err
		}
	}
	g.rebootStatus(&rep)
	if rep.Backups.OnDisk, rep.Backups.Files, err = backup.Usage(rep.Backups.Dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	file, err := smsini.Read(g.iniPath())
	if err != nil {
		return err
	}
	// What the journal knows is listed first; the rest was appended.
	i := 0
	for _, e := range file.Entries {
		if i < len(rep.known) && e.Text == rep.known[i] {
			i++
			continue
		}
		rep.NotIngested = append(rep.NotIngested, e.Text)
	}
	rep.judge(g)
	if o.json {
		if err := json.NewEncoder(g.stdout).Encode(&rep); err != nil {
			return err
		}
	} else {
		printStatus(g, &rep, ini)
	}
	return rep.exitError()
}

// statusInProgress is status while a run holds the journal: what its
// status file says.
func statusInProgress(g *globalOptions, o *statusOptions, rep *statusReport) error {
	st := rep.Run
	if !st.running() {
		return &exitError{code: exitLocked, err: fmt.Errorf("another smswork holds the journal %s, and it is not a run (an add --atomic, resolve, undo or history prune): try again in a moment", g.journalPath())}
	}
	rep.RunInProgress = true
	switch {
	case st.Held > 0:
		rep.State, rep.Exit = "held", exitHeld
	case st.Failed > 0:
		rep.State, rep.Exit = "failed", exitFailed
	case st.Open != 0:
		rep.State, rep.Exit = "waiting", exitWaiting
	default:
		rep.State, rep.Exit = "ok", exitOK
	}
	rep.Commands = append(rep.Commands, g.command("status")+" once the "+st.Kind+" ends, for the whole picture")
	if o.json {
		if err := json.NewEncoder(g.stdout).Encode(rep); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(g.stdout, "SMS.INI  %s\njournal  %s\n", rep.Ini, rep.Journal)
		printInProgress(g.stdout, st, statusFileName(g.journalPath()))
		fmt.Fprintf(g.stdout, "the journal is the %s's until it ends: %s\n", st.Kind, rep.Commands[0])
	}
	return rep.exitError()
}

// journalStatus fills rep from the journal.
func journalStatus(j *journal.Journal, rep *statusReport) error {
	return j.View(func(tx *journal.Tx) error {
		m, err := tx.Mirror()
		if err != nil {
			return err
		}
		if err := backupReport(tx, &rep.Backups); err != nil {
			return err
		}
		return tx.Queue(func(e *journal.Entry) error {
			if e.Seq >= m.Start {
				rep.known = append(rep.known, e.Raw)
			}
			switch {
			case e.State == journal.Held && e.Decision == "":
				rep.Held = append(rep.Held, *e)
			case (e.State == journal.Held || e.State == journal.Queued) && e.Decision != "":
				rep.Decided = append(rep.Decided, *e)
			case e.State == journal.Queued && e.Failure != "":
				rep.Failed = append(rep.Failed, *e)
			case e.State == journal.Queued:
				rep.Queued = append(rep.Queued, *e)
			case e.State == journal.Intent:
				rep.Interrupted = append(rep.Interrupted, *e)
			case e.State == journal.Reboot:
				rep.Reboot = append(rep.Reboot, *e)
			}
			return nil
		})
	})
}

// judge sets the report's state, exit status and the commands that deal
// with what it found.
func (rep *statusReport) judge(g *globalOptions) {
	waiting := len(rep.Decided)+len(rep.Queued)+len(rep.Interrupted)+len(rep.NotIngested)+len(rep.Backups.Undoing) > 0
	switch {
	case len(rep.Held) > 0:
		rep.State, rep.Exit = "held", exitHeld
	case len(rep.Failed) > 0:
		rep.State, rep.Exit = "failed", exitFailed
	case len(rep.Reboot) > 0:
		rep.State, rep.Exit = "reboot", exitReboot
	case waiting:
		rep.State, rep.Exit = "waiting", exitWaiting
	default:
		rep.State, rep.Exit = "ok", exitOK
	}
	if len(rep.Reboot) > 0 {
		rep.Commands = append(rep.Commands, "reboot, then "+g.command("run")+" (the boot task does) to confirm the files Session Manager replaced")
	}
	for _, e := range rep.Held {
		rep.Commands = append(rep.Commands, g.command("resolve", strconv.FormatUint(e.Seq, 10), "rerun"), g.command("resolve", strconv.FormatUint(e.Seq, 10), "skip"))
	}
	for _, e := range rep.Failed {
		rep.Commands = append(rep.Commands, g.command("resolve", strconv.FormatUint(e.Seq, 10), "skip"))
	}
	if waiting || len(rep.Failed) > 0 {
		rep.Commands = append(rep.Commands, g.command("run"))
	}
}

// exitError is status's exit status as an error (nil for 0).
func (rep *statusReport) exitError() error {
	if rep.Exit == exitOK {
		return nil
	}
	return &exitError{code: rep.Exit, err: errors.New(rep.summary())}
}

// summary is the last line of status: the state and its counts.
func (rep *statusReport) summary() string {
	if rep.RunInProgress {
		return fmt.Sprintf("a %s is in progress: %s", rep.Run.Kind, rep.Run.counts())
	}
	s := fmt.Sprintf("%s: %d held, %d failed, %d waiting for the next run", rep.State, len(rep.Held), len(rep.Failed),
		len(rep.Decided)+len(rep.Queued)+len(rep.Interrupted)+len(rep.NotIngested))
	if n := len(rep.Reboot); n > 0 {
		s += "; " + rebootNeeded(n)
	}
	return s
}

// backupReport fills what the journal says of backups and undo.
func backupReport(tx *journal.Tx, rep *backupStatus) error {
	rep.Kept = tx.BackupBytes()
	var undoable []journal.Batch
	err := tx.Batches(func(b *journal.Batch) error {
		switch {
		case b.Undo != nil:
			rep.Undoing = append(rep.Undoing, *b)
		case b.State == "" && b.Atomic:
			rep.Atomic = append(rep.Atomic, *b)
		case b.State == journal.BatchDone && b.Backups == "":
			undoable = append(undoable, *b)
			if len(undoable) > statusBatches {
				undoable = undoable[1:]
			}
		}
		return nil
	})
	for i := len(undoable) - 1; i >= 0; i-- {
		rep.Undoable = append(rep.Undoable, undoable[i])
	}
	return err
}

func printStatus(g *globalOptions, rep *statusReport, ini *iniState) {
	w := g.stdout
	fmt.Fprintf(w, "SMS.INI  %s\njournal  %s\n", rep.Ini, rep.Journal)
	work := len(rep.Held)+len(rep.Failed)+len(rep.Decided)+len(rep.Queued)+len(rep.Interrupted) > 0
	if n := ini.notice(!work); n != "" {
		fmt.Fprintln(w, n)
	}
	if st := rep.Run; st != nil {
		switch {
		case st.running():
			fmt.Fprintf(w, "the last %s (pid %d, started %s) did not finish: it was killed or the machine stopped; the next run finishes its work\n",
				st.Kind, st.PID, st.Started.Local().Format("2006-01-02 15:04:05"))
		case st.Exit != nil:
			fmt.Fprintf(w, "last %s: %s, exit status %d: %s\n", st.Kind, st.Finished.Local().Format("2006-01-02 15:04:05"), *st.Exit, firstLine(st.Result))
		}
	}
	list := func(title, hint string, es []journal.Entry, extra func(journal.Entry) string) {
		fmt.Fprintf(w, "%s: %d%s\n", title, len(es), map[bool]string{true: hint}[len(es) > 0 && hint != ""])
		for _, e := range es {
			fmt.Fprintf(w, "  #%d (batch %d, entry %d) %s%s\n", e.Seq, e.Batch, e.Pos, e.Raw, extra(e))
		}
	}
	none := func(journal.Entry) string { return "" }
	seq := func(e journal.Entry) string { return strconv.FormatUint(e.Seq, 10) }
	list("held", "", rep.Held, func(e journal.Entry) string {
		return fmt.Sprintf("\n      %s\n      decide: %s, or %s", e.HeldReason, g.command("resolve", seq(e), "rerun"), g.command("resolve", seq(e), "skip"))
	})
	list("failed", "", rep.Failed, func(e journal.Entry) string {
		return fmt.Sprintf("\n      failed at %s: %s\n      it stays queued: fix the cause and the next run tries it again (%s), or skip it: %s",
			e.FailedAt.Local().Format("2006-01-02 15:04:05"), firstLine(e.Failure), g.command("run"), g.command("resolve", seq(e), "skip"))
	})
	list("decided", fmt.Sprintf(" (the next run acts on them: %s)", g.command("run")), rep.Decided, func(e journal.Entry) string {
		return fmt.Sprintf("\n      %s, decided by %s at %s", e.Decision, e.DecidedBy, e.DecidedAt.Local().Format("2006-01-02 15:04:05"))
	})
	list("interrupted", fmt.Sprintf(" (the next run finishes them: %s)", g.command("run")), rep.Interrupted, func(e journal.Entry) string {
		return fmt.Sprintf("  (attempt %d)", e.Attempts)
	})
	list("waiting for the reboot", " (files in use handed to Session Manager: "+rebootNeeded(len(rep.Reboot))+"; the next start confirms them)", rep.Reboot, func(e journal.Entry) string {
		var s string
		if e.Intent != nil && e.Intent.Handoff != nil {
			for _, hf := range e.Intent.Handoff.Files {
				what := "replaced by " + hf.Stage
				if hf.Stage == "" {
					what = "deleted"
				}
				s += fmt.Sprintf("\n      %s is in use: %s at boot (registered %d time%s)", hf.Target, what, hf.Registered, plural(hf.Registered, "", "s"))
			}
		}
		return s
	})
	list("queued", fmt.Sprintf(" (the next run runs them: %s)", g.command("run")), rep.Queued, none)
	fmt.Fprintf(w, "in SMS.INI, not yet taken in: %d%s\n", len(rep.NotIngested), map[bool]string{true: fmt.Sprintf(" (the next run takes them in: %s)", g.command("run"))}[len(rep.NotIngested) > 0])
	for _, t := range rep.NotIngested {
		fmt.Fprintf(w, "  %s\n", t)
	}
	printPendingRenames(w, rep)
	b := &rep.Backups
	fmt.Fprintf(w, "backups  %s: %s kept for undo, %s in %d file(s) on disk\n", b.Dir,
		humanize.IBytes(b.Kept), humanize.IBytes(uint64(max(b.OnDisk, 0))), b.Files)
	batches := func(title, hint string, bs []journal.Batch, extra func(*journal.Batch) string) {
		if len(bs) > 0 {
			title += hint
		}
		fmt.Fprintf(w, "%s: %d\n", title, len(bs))
		for i := range bs {
			fb := &bs[i]
			fmt.Fprintf(w, "  batch %d: %d entr%s, %s%s\n", fb.ID, fb.Entries, plural(fb.Entries, "y", "ies"),
				fb.Time.Local().Format("2006-01-02 15:04:05"), extra(fb))
		}
	}
	batches("undo in progress", fmt.Sprintf(" (the next start finishes it: %s)", g.command("run")), b.Undoing, func(fb *journal.Batch) string {
		return fmt.Sprintf(", %s", fb.Undo.Mode)
	})
	batches("atomic batches with work left", "", b.Atomic, func(fb *journal.Batch) string {
		return fmt.Sprintf(", after a rollback: %s", fb.OnRollback)
	})
	batches("finished batches that can be undone, newest first", fmt.Sprintf(" (%s)", g.command("undo", "BATCH")), b.Undoable, func(fb *journal.Batch) string {
		return fmt.Sprintf(", %s of backups", humanize.IBytes(uint64(max(fb.BackupBytes, 0))))
	})
	fmt.Fprintf(w, "state: %s\n", rep.summary())
}

// firstLine is s up to its first line break, cut when long.
func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	if len(s) > 300 {
		return s[:300] + "…"
	}
	return s
}
