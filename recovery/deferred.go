package recovery

import (
	"time"

	"github.com/rs/zerolog"

	"smswork/journal"
	"smswork/ops"
)

// deferredMarker holds the commit marker of the last file operation that
// succeeded (done or already done) until it is durable. Writing it in a
// transaction of its own would cost a second fdatasync per operation;
// instead it is written first in the next journal transaction the runner
// makes through update, and is durable exactly when that transaction is:
//
//   - the next operation's intent marker (step): the usual case, so the
//     operation after it never starts before it is committed;
//   - the hold of an operation found interrupted (step), should one come
//     next;
//   - the commit marker written at once of the next operation: a failure,
//     a skip, a run operation's, a failure stopped by the deadline (write),
//     or the failure that starts an atomic batch's rollback, with that
//     start (rollback);
//   - a change of the retention's (pruneBackups), or of an undo's
//     (undoBatch), though both follow a flush already;
//   - the transaction of a reconciliation of SMS.INI (syncMirror) that
//     records the rewrite about to land (before the rename), or confirms
//     an SMS.INI already right: SMS.INI, which may trail the journal but
//     never lead it, drops the operation only once that transaction is
//     durable. This ends every drain, since Run reconciles SMS.INI after
//     each one (and a drain does every MirrorInterval, mirrorDue), which
//     is what makes SMS.INI list exactly what remains when Run returns;
//     the last operation's marker costs no transaction of its own;
//
// or, when no such transaction comes first, in one of its own (flush):
//
//   - before an undo or a rollback starts (undoBatch).
//
// Transactions the runner makes directly on the journal never carry it:
// syncMirror's confirmation after the rename (after the transaction that
// wrote it) and an operation's progress in its intent (Executor.Execute's
// step callback, after the intent that wrote it). When Run ends on an
// error before any of these, the marker is lost with the runner, as in a
// crash.
//
// This is safe because only file operations that succeeded are deferred,
// and they are idempotent from their intent: until the marker is durable,
// a crash leaves the operation in state intent, and recovery executes it
// again from the intent it recorded, which recognises what is done
// (docs/CONTRACT.md, section 4, promise 2: a copy over its own result, a del of a file gone) and
// commits it then. A run operation's marker is never deferred (a crash
// would run the program again), nor a failure's or a skip's (a crash
// would hide them): commit writes those at once.
type deferredMarker struct {
	journal *journal.Journal
	now     func() time.Time
	// committed is told of each marker once it is durable.
	committed func(e *journal.Entry, rec *journal.Record, log zerolog.Logger)

	// pending is the marker not yet written, or nil.
	pending *pendingCommit
}

type pendingCommit struct {
	e   *journal.Entry
	res ops.Result
	log zerolog.Logger
}

// set defers the commit marker of e with result res (a file operation
// that succeeded). The previous one is durable already: e's own intent
// transaction wrote it.
func (d *deferredMarker) set(e *journal.Entry, res ops.Result, log zerolog.Logger) {
	d.pending = &pendingCommit{e: e, res: res, log: log}
}

// update runs fn (when not nil) in one durable journal transaction that
// first writes the pending marker, if any: both are durable, or neither.
func (d *deferredMarker) update(fn func(*journal.Tx) error) error {
	p := d.pending
	var rec *journal.Record
	err := d.journal.Update(func(tx *journal.Tx) (err error) {
		if p != nil {
			if rec, err = tx.Commit(p.e, p.res, false, d.now()); err != nil {
				return err
			}
		}
		if fn == nil {
			return nil
		}
		return fn(tx)
	})
	if err != nil {
		return err
	}
	if p != nil {
		d.pending = nil
		d.committed(p.e, rec, p.log)
	}
	return nil
}

// flush makes the pending marker durable in a transaction of its own;
// it writes nothing when none is pending.
func (d *deferredMarker) flush() error {
	if d.pending == nil {
		return nil
	}
	return d.update(nil)
}
