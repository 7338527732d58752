package main

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"time"

	"smswork/backup"
	"smswork/internal/metrics"
	"smswork/journal"
	"smswork/ops"
	"smswork/recovery"
	"smswork/smsini"
)

// afterRun writes --metrics-file once run is done, whatever its end:
// started at start, with its summary (nil when it was refused before it
// ran) and the error it returns (its exit status). Deferred first, it runs
// after the run has closed the journal, which it reopens read-only. It
// never changes the run's outcome: a file it cannot write is logged.
//
// When another smswork holds the journal (a run refused with exit status
// 75), the file is left as it is: that smswork writes its own. When the
// journal cannot be read otherwise, the run's own metrics are written
// without the journal's.
func (g *globalOptions) afterRun(start time.Time, sum **recovery.Summary, runErr *error) {
	if g.metricsFile == "" {
		return
	}
	end := time.Now()
	r := &metrics.Run{Version: buildVersion(), GoVersion: runtime.Version(), End: end, Duration: end.Sub(start)}
	if *runErr != nil {
		r.ExitStatus = exitCode(*runErr)
	}
	if *sum != nil {
		r.ThisRun = (*sum).Outcomes
	}
	state, err := g.metricsState()
	if errors.Is(err, journal.ErrLocked) {
		g.metricsProblem(fmt.Errorf("metrics file %s left as it is: another smswork holds the journal", g.metricsFile))
		return
	}
	if err != nil {
		g.metricsProblem(fmt.Errorf("metrics file %s: the journal could not be read, only the run's own metrics are written: %w", g.metricsFile, err))
	}
	r.State = state
	if err := metrics.WriteFile(g.metricsFile, r); err != nil {
		g.metricsProblem(err)
	}
}

// metricsProblem logs a warning about the metrics file.
func (g *globalOptions) metricsProblem(err error) {
	log, lerr := g.logger()
	if lerr != nil {
		fmt.Fprintf(g.stderr, "smswork: %v\n", err)
		return
	}
	log.Warn().Err(err).Msg("metrics file")
}

// metricsState reads what the metrics say of the journal, the backup
// folder and SMS.INI, without changing them. A journal that does not exist
// yet is an empty one.
func (g *globalOptions) metricsState() (*metrics.State, error) {
	st := &metrics.State{Totals: map[ops.Outcome]uint64{}, NotIngested: -1}
	var known []string
	j, err := g.openJournal(true)
	switch {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return nil, err
	default:
		err = j.View(func(tx *journal.Tx) error {
			totals, err := tx.OutcomeCounts()
			if err != nil {
				return err
			}
			st.Totals = totals
			st.BackupKeptBytes = int64(min(tx.BackupBytes(), 1<<63-1))
			m, err := tx.Mirror()
			if err != nil {
				return err
			}
			return tx.Queue(func(e *journal.Entry) error {
				if e.Seq >= m.Start {
					known = append(known, e.Raw)
				}
				switch e.State {
				case journal.Queued:
					st.Queued++
				case journal.Intent:
					st.Interrupted++
				case journal.Held:
					st.Held++
				case journal.Reboot:
					st.RebootPending++
				}
				return nil
			})
		})
		if cerr := j.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("journal %s: %w", g.journalPath(), err)
		}
	}
	if fi, err := os.Stat(g.journalPath()); err == nil {
		st.JournalBytes = fi.Size()
	}
	if n, _, err := backup.Usage(g.backupDir()); err == nil {
		st.BackupBytes = n
	}
	if file, err := smsini.Read(g.iniPath()); err == nil {
		st.NotIngested = notIngested(known, file.Entries)
	}
	return st, nil
}

// notIngested counts the entries of SMS.INI that are not the journal's:
// the journal's come first, in order; the rest were appended or do not
// parse.
func notIngested(known []string, entries []smsini.Entry) int {
	i, n := 0, 0
	for _, e := range entries {
		if i < len(known) && e.Text == known[i] {
			i++
			continue
		}
		n++
	}
	return n
}
