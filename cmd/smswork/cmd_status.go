package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"

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
	Ini     string          `json:"ini"`
	Journal string          `json:"journal"`
	Queued  []journal.Entry `json:"queued"`
	// Interrupted operations have an intent marker and no commit.
	Interrupted []journal.Entry `json:"interrupted"`
	Held        []journal.Entry `json:"held"`
	// NotIngested are SMS.INI entries the journal has not taken in yet.
	NotIngested []string `json:"notIngested"`
	// Backups is the backup folder's use, and the batches it serves.
	Backups backupStatus `json:"backups"`
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
		Short: "Show what is pending, interrupted or held",
		Long: `status reads the journal and SMS.INI without changing either, and lists the
operations still queued, those interrupted (an intent marker and no commit),
those held for a decision (see 'smswork resolve'), and the entries of
PendingWork the journal has not taken in yet; then the backup folder's disk
use, the atomic batches with work left, any undo a crash interrupted, and the
finished batches that can still be undone ('smswork undo BATCH').

Exit status: 0 nothing held, 3 an operation is held for a decision.`,
		Example: `  smswork status
  smswork status --json`,
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
		Interrupted: []journal.Entry{}, Held: []journal.Entry{}, NotIngested: []string{},
		Backups: backupStatus{Dir: g.backupDir(), Undoable: []journal.Batch{}, Atomic: []journal.Batch{}, Undoing: []journal.Batch{}}}
	var err error
	if rep.Backups.OnDisk, rep.Backups.Files, err = backup.Usage(rep.Backups.Dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	file, err := smsini.Read(g.iniPath())
	if err != nil {
		return err
	}
	var known []string
	j, err := g.openJournal(true)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case errors.Is(err, journal.ErrLocked):
		return &exitError{code: exitLocked, err: fmt.Errorf("a run is in progress: %w", err)}
	case err != nil:
		return err
	default:
		defer func() { _ = j.Close() }()
		err = j.View(func(tx *journal.Tx) error {
			m, err := tx.Mirror()
			if err != nil {
				return err
			}
			if err := backupReport(tx, &rep.Backups); err != nil {
				return err
			}
			return tx.Queue(func(e *journal.Entry) error {
				if e.Seq >= m.Start {
					known = append(known, e.Raw)
				}
				switch e.State {
				case journal.Queued:
					rep.Queued = append(rep.Queued, *e)
				case journal.Intent:
					rep.Interrupted = append(rep.Interrupted, *e)
				case journal.Held:
					rep.Held = append(rep.Held, *e)
				}
				return nil
			})
		})
		if err != nil {
			return err
		}
	}
	// What the journal knows is listed first; the rest was appended.
	i := 0
	for _, e := range file.Entries {
		if i < len(known) && e.Text == known[i] {
			i++
			continue
		}
		rep.NotIngested = append(rep.NotIngested, e.Text)
	}
	if o.json {
		enc := json.NewEncoder(g.stdout)
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printStatus(g, &rep)
	}
	if len(rep.Held) > 0 {
		return &exitError{code: exitHeld, err: fmt.Errorf("%d operation(s) held for a decision", len(rep.Held))}
	}
	return nil
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

func printStatus(g *globalOptions, rep *statusReport) {
	w := g.stdout
	fmt.Fprintf(w, "SMS.INI  %s\njournal  %s\n", rep.Ini, rep.Journal)
	list := func(title string, es []journal.Entry, extra func(journal.Entry) string) {
		fmt.Fprintf(w, "%s: %d\n", title, len(es))
		for _, e := range es {
			fmt.Fprintf(w, "  #%d (batch %d, entry %d) %s%s\n", e.Seq, e.Batch, e.Pos, e.Raw, extra(e))
		}
	}
	none := func(journal.Entry) string { return "" }
	list("held", rep.Held, func(e journal.Entry) string {
		return fmt.Sprintf("\n      %s; decide: smswork resolve %d rerun|skip", e.HeldReason, e.Seq)
	})
	list("interrupted", rep.Interrupted, func(e journal.Entry) string {
		return fmt.Sprintf("  (attempt %d)", e.Attempts)
	})
	list("queued", rep.Queued, none)
	fmt.Fprintf(w, "in SMS.INI, not yet taken in: %d\n", len(rep.NotIngested))
	for _, t := range rep.NotIngested {
		fmt.Fprintf(w, "  %s\n", t)
	}
	b := &rep.Backups
	fmt.Fprintf(w, "backups  %s: %s kept for undo, %s in %d file(s) on disk\n", b.Dir,
		humanize.IBytes(b.Kept), humanize.IBytes(uint64(max(b.OnDisk, 0))), b.Files)
	batches := func(title string, bs []journal.Batch, extra func(*journal.Batch) string) {
		fmt.Fprintf(w, "%s: %d\n", title, len(bs))
		for i := range bs {
			fb := &bs[i]
			fmt.Fprintf(w, "  batch %d: %d entr%s, %s%s\n", fb.ID, fb.Entries, plural(fb.Entries, "y", "ies"),
				fb.Time.Local().Format("2006-01-02 15:04:05"), extra(fb))
		}
	}
	batches("undo in progress (the next start finishes it)", b.Undoing, func(fb *journal.Batch) string {
		return fmt.Sprintf(", %s", fb.Undo.Mode)
	})
	batches("atomic batches with work left", b.Atomic, func(fb *journal.Batch) string {
		return fmt.Sprintf(", after a rollback: %s", fb.OnRollback)
	})
	batches("finished batches that can be undone (smswork undo BATCH), newest first", b.Undoable, func(fb *journal.Batch) string {
		return fmt.Sprintf(", %s of backups", humanize.IBytes(uint64(max(fb.BackupBytes, 0))))
	})
}
