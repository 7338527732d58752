package metrics

import (
	"bytes"
	"fmt"
	"io"
	"slices"
	"time"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// Run is what one `smswork run` leaves for monitoring.
type Run struct {
	// Version and GoVersion identify the build (smswork_build_info).
	Version, GoVersion string
	// End is when the run ended; Duration how long it took.
	End      time.Time
	Duration time.Duration
	// ExitStatus is the run's exit status (0, 1, 2, 3, ...).
	ExitStatus int
	// ThisRun counts the audit records the run wrote, by outcome (nil
	// when it was refused before it ran anything).
	ThisRun map[ops.Outcome]int
	// State is what the journal and SMS.INI say after the run; nil when
	// the journal could not be read, and then only the run's own metrics
	// are written.
	State *State
}

// State is what the journal and SMS.INI say after a run.
type State struct {
	// Totals counts the audit records the journal ever wrote, by outcome
	// (journal.Tx.OutcomeCounts).
	Totals map[ops.Outcome]uint64
	// Queued, Interrupted and Held count the journal's operations waiting
	// to run, interrupted (an intent marker without a commit) and held
	// for a decision. RebootPending counts those waiting for a reboot to
	// finish: files in use handed to Windows' Session Manager (journal
	// state reboot), which the next start confirms.
	Queued, Interrupted, Held, RebootPending int
	// NotIngested counts SMS.INI's entries the journal has not taken in
	// (entries that do not parse, or appended since); -1 when SMS.INI
	// could not be read, and then it is left out.
	NotIngested int
	// JournalBytes is the journal file's size; BackupBytes the backup
	// folder's use on disk (a file linked twice counted once);
	// BackupKeptBytes what the journal counts for the batches whose
	// backups it keeps, the measure --keep-backups bounds.
	JournalBytes, BackupBytes, BackupKeptBytes int64
}

// outcomes are the outcomes of operations, every one written (0 when
// none) so that a rate or an alert sees the series from the first run.
// Checkpoint records stand for pruned records and are no operations.
var outcomes = []ops.Outcome{ops.Done, ops.AlreadyDone, ops.Failed, ops.Skipped, ops.Held, ops.RebootPending, ops.Undone, ops.Dropped}

// Format writes r in the text exposition format.
func Format(w io.Writer, r *Run) error {
	fams := []family{
		{name: "smswork_build_info", typ: gauge, help: "The smswork build that wrote this file: its version and Go version, value 1.",
			samples: []sample{{labels: []label{{"version", r.Version}, {"goversion", r.GoVersion}}, value: 1}}},
		{name: "smswork_last_run_timestamp_seconds", typ: gauge, help: "Unix time at which the last smswork run ended.",
			samples: one(float64(r.End.UnixMilli()) / 1e3)},
		{name: "smswork_last_run_duration_seconds", typ: gauge, help: "How long the last smswork run took.",
			samples: one(r.Duration.Seconds())},
		{name: "smswork_last_run_exit_status", typ: gauge, help: "Exit status of the last smswork run: 0 nothing left to do, 1 an operation failed, 2 bad usage or input (nothing ran), 3 an operation is held for a decision, 3010 work waits for the reboot (Windows).",
			samples: one(float64(r.ExitStatus))},
		{name: "smswork_last_run_operations", typ: gauge, help: "Audit records the last smswork run wrote, by outcome.",
			samples: byOutcome(r.ThisRun)},
	}
	if s := r.State; s != nil {
		fams = append(fams,
			family{name: "smswork_operations_total", typ: counter, help: "Audit records the journal has written since it was created, by outcome (a prune does not lower them).",
				samples: byOutcome(s.Totals)},
			family{name: "smswork_queued_operations", typ: gauge, help: "Queue length: operations in the journal waiting to run.",
				samples: one(float64(s.Queued))},
			family{name: "smswork_interrupted_operations", typ: gauge, help: "Operations with an intent marker and no commit marker (the next run finishes them).",
				samples: one(float64(s.Interrupted))},
			family{name: "smswork_held_operations", typ: gauge, help: "Operations held for a decision (smswork resolve ID rerun|skip).",
				samples: one(float64(s.Held))},
			family{name: "smswork_reboot_pending_operations", typ: gauge, help: "Operations waiting for a reboot to finish: files in use handed to Windows' Session Manager (MoveFileEx, MOVEFILE_DELAY_UNTIL_REBOOT), confirmed by the next start.",
				samples: one(float64(s.RebootPending))},
			family{name: "smswork_journal_size_bytes", typ: gauge, help: "Size of the journal file.",
				samples: one(float64(s.JournalBytes))},
			family{name: "smswork_backup_size_bytes", typ: gauge, help: "Disk use of the backup folder (a file linked twice counted once).",
				samples: one(float64(s.BackupBytes))},
			family{name: "smswork_backup_kept_bytes", typ: gauge, help: "Bytes of backups the journal keeps for finished batches, the measure --keep-backups bounds.",
				samples: one(float64(s.BackupKeptBytes))},
		)
		if s.NotIngested >= 0 {
			fams = append(fams, family{name: "smswork_not_ingested_entries", typ: gauge,
				help:    "Entries of SMS.INI's PendingWork the journal has not taken in (entries that do not parse, or appended since the run).",
				samples: one(float64(s.NotIngested))})
		}
	}
	return writeFamilies(w, fams)
}

// WriteFile replaces path with r's metrics, atomically and durably
// (internal/fsroot): a reader sees the previous file or this one. A new
// file is created 0644, for the collector to read.
func WriteFile(path string, r *Run) error {
	var buf bytes.Buffer
	if err := Format(&buf, r); err != nil {
		return err
	}
	if err := fsroot.WriteFile(path, buf.Bytes(), fsroot.Options{Perm: 0o644}); err != nil {
		return fmt.Errorf("metrics file %s: %w", path, err)
	}
	return nil
}

func one(v float64) []sample { return []sample{{value: v}} }

// byOutcome is one sample per outcome: every outcome of an operation, then
// any other in n, in name order.
func byOutcome[N int | uint64](n map[ops.Outcome]N) []sample {
	var out []sample
	for _, o := range outcomes {
		out = append(out, sample{labels: []label{{"outcome", string(o)}}, value: float64(n[o])})
	}
	var extra []ops.Outcome
	for o := range n {
		if !slices.Contains(outcomes, o) && o != ops.Checkpoint {
			extra = append(extra, o)
		}
	}
	slices.Sort(extra)
	for _, o := range extra {
		out = append(out, sample{labels: []label{{"outcome", string(o)}}, value: float64(n[o])})
	}
	return out
}
