package recovery

import (
	"context"

	"smswork/journal"
	"smswork/ops"
)

// Progress is how far a run is, for a view of it that does not need the
// journal (cmd/smswork's status file: status and history read it while
// the run holds the journal).
type Progress struct {
	// Open counts the operations not committed yet (the one running
	// included, held and failed ones that stay queued too).
	Open int
	// Current is the operation that has just started, nil when an
	// operation has just been committed (Record).
	Current *journal.Entry
	// Record is the audit record just made durable, nil when an
	// operation has just started.
	Record *journal.Record
}

// Stopped says why a run stopped before the queue was done: the cause of
// its context's end (the --deadline, a signal), or nil.
func (s *Summary) Stopped() error { return s.stopped }

// stop notes that ctx ended the run, and why.
func (r *runner) stop(ctx context.Context) {
	r.sum.Deadline = true
	if r.sum.stopped == nil {
		r.sum.stopped = context.Cause(ctx)
	}
}

// countOpen counts the operations not committed yet, from the journal.
func (r *runner) countOpen() error {
	r.open = 0
	return r.cfg.Journal.View(func(tx *journal.Tx) error {
		return tx.Queue(func(e *journal.Entry) error {
			if e.State != journal.Committed && e.State != journal.Staged {
				r.open++
			}
			return nil
		})
	})
}

// progressStarted reports that e started (its intent is durable).
func (r *runner) progressStarted(e *journal.Entry) {
	if r.cfg.OnProgress != nil {
		r.cfg.OnProgress(Progress{Open: r.open, Current: e})
	}
}

// progressCommitted reports rec, durable; an operation it ends leaves the
// open count.
func (r *runner) progressCommitted(rec *journal.Record) {
	if !rec.StillQueued && rec.Outcome != ops.Held && rec.Outcome != ops.Undone && r.open > 0 {
		r.open--
	}
	if r.cfg.OnProgress != nil {
		r.cfg.OnProgress(Progress{Open: r.open, Record: rec})
	}
}
