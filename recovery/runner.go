package recovery

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"

	"smswork/internal/config"
	"smswork/internal/failpoint"
	"smswork/internal/fsroot"
	"smswork/journal"
	"smswork/ops"
	"smswork/ops/exec"
)

// InterruptedPolicy says what to do with a run operation found interrupted.
type InterruptedPolicy string

// The --interrupted policies.
const (
	// PolicyRerun runs it again (at least once, as the original SMSWORK).
	PolicyRerun InterruptedPolicy = "rerun"
	// PolicyHold holds it for `smswork resolve`.
	PolicyHold InterruptedPolicy = "hold"
)

// Executor is what the drain loop needs of exec.Executor.
type Executor interface {
	Prepare(op *ops.Op, opID uint64) (*ops.Intent, error)
	Execute(ctx context.Context, op *ops.Op, in *ops.Intent, step func(*ops.Intent) error) ops.Result
}

var _ Executor = (*exec.Executor)(nil)

// scoper is an Executor whose calls on the files of one operation can
// share folder handles (exec.Executor.BeginScope).
type scoper interface{ BeginScope() (end func()) }

var _ scoper = (*exec.Executor)(nil)

// Config is what Run needs.
type Config struct {
	// Ini is SMS.INI's path.
	Ini     string
	Journal *journal.Journal
	Exec    Executor
	// Interrupted is the policy for interrupted run operations
	// (default config.Interrupted).
	Interrupted InterruptedPolicy
	// MaxAttempts holds any operation interrupted this many times,
	// whatever the policy (default config.MaxAttempts).
	MaxAttempts int
	// ContinueOnError commits a failed operation and goes on, instead of
	// stopping the queue with it and every later entry kept.
	ContinueOnError bool
	// MirrorInterval bounds how long SMS.INI may trail the journal while
	// operations run (default 2s), and the end of the drain rewrites it.
	MirrorInterval time.Duration
	Log            zerolog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Failpoint kills the process at named points (crash tests only).
	Failpoint failpoint.Func
	// OnRecord, when set, is called with each audit record once it is
	// durable, in order: the way to show a run's progress without
	// holding every record of a long queue in memory.
	OnRecord func(*journal.Record)
	// OnProgress, when set, is called as each operation starts (its
	// intent durable) and after each audit record, with how many
	// operations are still open.
	OnProgress func(Progress)
	// Backups keeps the prior state of what file operations change, for
	// rollbacks and undos; nil turns backups off (every file operation's
	// intent then says it cannot be undone).
	Backups Backups
	// KeepBackups bounds the bytes of backups kept for finished batches:
	// after a run, the oldest finished batches lose theirs (and with
	// them the means to be undone) until the rest fit. Negative: no bound.
	KeepBackups int64
	// ContinuePastReboot lets the queue go on past an operation waiting
	// for the reboot (a file in use handed to Session Manager) with the
	// entries that touch none of its paths; the first entry that does,
	// and any run entry (it may load the new file), stops it there.
	// Without it the queue stops at the waiting operation.
	ContinuePastReboot bool
	// Atomic makes every batch that starts in this run all-or-nothing
	// (run --atomic), with OnRollback its fate after a rollback.
	Atomic     bool
	OnRollback journal.RollbackChoice
}

// Summary is what a run did.
type Summary struct {
	// Outcomes counts the audit records this run wrote, by outcome.
	Outcomes map[ops.Outcome]int
	// Held lists operations waiting for a decision (exit status 3).
	Held []journal.Entry
	// Failed is the operation that stopped the queue (exit status 1).
	Failed *journal.Record
	// Bad lists appended entries that do not parse (exit status 2); they
	// stay in SMS.INI.
	Bad []error
	// Deadline says the run stopped because its context ended (Stopped
	// says why: the deadline, a signal).
	Deadline bool
	stopped  error
	// Remaining counts operations still queued in the journal.
	Remaining int
	// RebootPending lists the operations waiting for the next boot when
	// the run ended: files in use handed to Session Manager (exit status
	// 3010, ERROR_SUCCESS_REBOOT_REQUIRED).
	RebootPending []journal.Entry
	// Undos lists the rollbacks (and undos) this run did.
	Undos []RolledBack
}

type runner struct {
	cfg         Config
	log         zerolog.Logger
	fp          failpoint.Func
	sum         *Summary
	sinceMirror int // committed operations SMS.INI still lists
	lastMirror  time.Time
	// marker is the deferred commit marker of the last file operation
	// that succeeded: the runner's journal changes go through
	// marker.update, which writes it in the same transaction, or flush it
	// first (see deferredMarker).
	marker *deferredMarker
	// open counts operations not committed, for OnProgress.
	open int
	// waiting are the paths of the operations that wait for the reboot
	// in this run (see ContinuePastReboot), waitingAtomic the atomic
	// batches they belong to.
	waiting       []ops.Path
	waitingAtomic []uint64
}

func (r *runner) now() time.Time { return r.cfg.Now() }

// Run is the one start path: recover, ingest, drain, mirror. It returns an
// error only when it could not do its job (I/O, a corrupt journal, input
// that does not parse at the start); operation failures, held operations
// and a reached deadline are in the Summary.
func Run(ctx context.Context, cfg Config) (*Summary, error) {
	r := newRunner(cfg)

	// 1. Recover SMS.INI's rewrite and take in new entries: all or none.
	res, err := r.syncMirror(ctx, true, nil)
	if err != nil {
		return r.sum, err
	}
	if res.ingested > 0 {
		r.log.Info().Int("entries", res.ingested).Msg("ingested PendingWork")
	}
	if r.cfg.OnProgress != nil {
		if err := r.countOpen(); err != nil {
			return r.sum, err
		}
	}
	// Finish an undo a crash interrupted before anything else runs.
	if err := r.resumeUndos(ctx); err != nil {
		return r.sum, err
	}
	// 2. Drain in order, taking in appended entries at each SMS.INI write.
	for {
		stop, err := r.drain(ctx)
		if err != nil {
			return r.sum, err
		}
		// 3. SMS.INI lists exactly what remains; entries appended
		// meanwhile are ingested, and drained if the queue may go on.
		// Past the deadline too: SMS.INI must say what remains. The lock
		// wait is bounded (an add holds it for milliseconds).
		final, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		res, err := r.syncMirror(final, false, nil)
		cancel()
		if err != nil {
			return r.sum, err
		}
		r.addBad(res.bad)
		if stop || res.ingested == 0 {
			break
		}
	}
	// 4. Backups of finished batches beyond the retention setting go.
	if err := r.pruneBackups(); err != nil {
		return r.sum, err
	}
	return r.sum, r.cfg.Journal.View(func(tx *journal.Tx) error {
		return tx.Queue(func(e *journal.Entry) error {
			if e.State != journal.Committed && e.State != journal.Staged {
				r.sum.Remaining++
			}
			if e.State == journal.Reboot {
				r.sum.RebootPending = append(r.sum.RebootPending, *e)
			}
			return nil
		})
	})
}

// newRunner fills cfg's defaults.
func newRunner(cfg Config) *runner {
	if cfg.Interrupted == "" {
		cfg.Interrupted = InterruptedPolicy(config.Interrupted)
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = config.MaxAttempts
	}
	if cfg.MirrorInterval <= 0 {
		cfg.MirrorInterval = 2 * time.Second
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.OnRollback == "" {
		cfg.OnRollback = journal.RollbackChoice(config.OnRollback)
	}
	r := &runner{cfg: cfg, log: cfg.Log, fp: cfg.Failpoint, sum: &Summary{Outcomes: map[ops.Outcome]int{}}}
	r.marker = &deferredMarker{journal: cfg.Journal, now: r.now, committed: r.committed}
	r.lastMirror = r.now()
	return r
}

func (r *runner) addBad(bad []error) {
	if len(r.sum.Bad) == 0 {
		r.sum.Bad = bad
	}
}

// nextEntry returns the first operation of the queue not committed, from
// seq on, or nil.
func (r *runner) nextEntry(from uint64) (*journal.Entry, error) {
	var next *journal.Entry
	err := r.cfg.Journal.View(func(tx *journal.Tx) error {
		return tx.QueueFrom(from, func(e *journal.Entry) error {
			if e.State != journal.Committed && e.State != journal.Staged {
				next = e
				return journal.ErrStop
			}
			return nil
		})
	})
	return next, err
}

// drain runs queued operations in order until none is left or the queue
// must stop (a failure, a held operation, the deadline); stop says which.
func (r *runner) drain(ctx context.Context) (stop bool, err error) {
	var from uint64
	for {
		e, err := r.nextEntry(from)
		if err != nil || e == nil {
			return false, err
		}
		from = e.Seq + 1
		if ctx.Err() != nil {
			r.stop(ctx)
			return true, nil
		}
		if e.State != journal.Reboot && r.mustWaitForReboot(e) {
			return true, nil
		}
		// Due, SMS.INI is rewritten before the next operation, not after
		// the last one: the end of the drain rewrites it anyway.
		if r.mirrorDue() {
			res, err := r.syncMirror(ctx, false, nil)
			if err != nil {
				return false, err
			}
			r.addBad(res.bad)
		}
		stop, err := r.step(ctx, e)
		if err != nil || stop {
			return stop, err
		}
	}
}

// mirrorDue says SMS.INI should be rewritten now: it trails the journal by
// MirrorInterval. A rewrite costs a file write, an fsync, a rename and a
// folder fsync, so it is bounded in time, not per operation: the cost per
// operation stays flat however long the queue is, and the end of the drain
// rewrites it once more. SMS.INI trailing the journal keeps promise 5 of
// docs/CONTRACT.md (it lists a suffix of the queue holding every
// uncommitted entry): an entry it still lists whose operation the journal
// has committed is known by its sequence number and never run again; it
// never leads the journal, since it is rewritten only from committed
// records. The former rule (also rewrite once a quarter of what it lists
// is done) rewrote it 17 times in a 100-entry drain, for no promise.
func (r *runner) mirrorDue() bool {
	return r.sinceMirror > 0 && r.now().Sub(r.lastMirror) >= r.cfg.MirrorInterval
}

// step takes one operation through its life. These are all its steps,
// every durability step among them, in order:
//
//  1. recover: what a crash or a person left decides how it goes on
//     (resume): held, skipped, or finished from its intent;
//  2. prepare: its intent, with the prior state of what it will change
//     (reads only);
//  3. intent marker, durable (journal Update) before the operation touches
//     anything, in the same transaction as the previous operation's
//     deferred commit marker;
//  4. backups of what it will change, durable;
//  5. execute: each effect made durable by the executor;
//  6. commit marker: deferred to the next transaction for a file operation
//     that succeeded (deferredMarker), durable at once otherwise (commit);
//     an operation that handed a file in use to Session Manager records
//     instead that it waits for the reboot (awaitReboot).
//
// An operation already waiting for the reboot skips 2 to 4: it is
// executed from its intent, which confirms it (confirmReboot).
func (r *runner) step(ctx context.Context, e *journal.Entry) (stop bool, err error) {
	log := r.log.With().Uint64("batch", e.Batch).Int("pos", e.Pos).Uint64("seq", e.Seq).Str("op", string(e.Op.Kind)).Logger()

	// 1. Recover.
	in, next, err := r.resume(e, log)
	switch {
	case err != nil:
		return false, err
	case next == wait:
		return true, nil
	case next == skip:
		return r.commit(ctx, e, ops.Result{Outcome: ops.Skipped, Start: r.now(), End: r.now()}, log)
	}

	if e.State == journal.Reboot {
		// Waiting for the reboot: its intent is confirmed (step 5) as it
		// stands, after the previous operation's marker is durable.
		if err := r.marker.flush(); err != nil {
			return false, err
		}
		return r.confirmReboot(ctx, e, in, log)
	}

	// Steps 2 to 5 look at and change the operation's files in one scope
	// of the drives: each folder they work in is opened once. It ends
	// before the commit marker, whose failure may undo an atomic batch
	// (a restore renames folders back).
	endScope := r.beginScope()
	defer endScope()

	// 2. Prepare (unless an intent is to be finished).
	if in == nil {
		if in, err = r.prepare(e); err != nil {
			endScope()
			return r.commit(ctx, e, r.failure(err.Error(), fsroot.IsInUse(err)), log)
		}
	}

	// 3. Intent marker.
	r.fp.Hit("op.before-intent")
	if err := r.intent(e, in); err != nil {
		return false, err
	}
	r.fp.Hit("op.after-intent")
	log.Info().Str("entry", e.Raw).Msg("start")
	r.progressStarted(e)

	// 4. Backups: the intent names them; they are durable before the
	// operation touches what they keep (a repeat keeps those made).
	if r.cfg.Backups != nil && len(in.Backups) > 0 {
		if err := r.cfg.Backups.Capture(in); err != nil {
			endScope()
			return r.commit(ctx, e, r.failure("keep a backup: "+err.Error(), false), log)
		}
		r.fp.Hit("op.after-backup")
	}

	// 5. Execute.
	res := r.cfg.Exec.Execute(ctx, &e.Op, in, func(updated *ops.Intent) error {
		return r.cfg.Journal.Update(func(tx *journal.Tx) error { return tx.UpdateIntent(e, updated) })
	})
	endScope()
	r.fp.Hit("op.before-commit")
	if res.Outcome == ops.RebootPending {
		return r.awaitReboot(e, res, log)
	}

	// 6. Commit marker.
	if res.Outcome == ops.Failed && ctx.Err() != nil {
		// Cut short by the run's end (its deadline, a signal): it stays
		// queued, as does everything after it, and the run says why.
		r.stop(ctx)
		if cause := context.Cause(ctx).Error(); !strings.Contains(res.Err, cause) {
			res.Err += " (" + cause + ")"
		}
		res.Err = "cut short, stays queued: " + res.Err
		res.InUse = false
		return r.write(e, res, true, log)
	}
	return r.commit(ctx, e, res, log)
}

// resumption is how an operation goes on, once recovery has looked at
// what a crash or a person left (resume).
type resumption int

const (
	// proceed: run it (from the intent resume returns, when not nil).
	proceed resumption = iota
	// wait: it is held for a person's decision; the queue stops.
	wait
	// skip: a person decided to skip it.
	skip
)

// resume decides how e goes on. A held operation waits for a decision,
// or is skipped, or run again: a run operation afresh, a file operation
// from its intent. An operation found with an intent and no commit
// marker was interrupted: it is held when it was interrupted
// MaxAttempts times, or is a run operation under PolicyHold (the hold
// and its audit record durable); otherwise it is finished, a file
// operation from its intent, a run operation afresh. It returns the
// intent to finish, nil for a new one.
func (r *runner) resume(e *journal.Entry, log zerolog.Logger) (*ops.Intent, resumption, error) {
	in := e.Intent
	switch e.State {
	case journal.Queued:
		if e.Decision == journal.Skip {
			// A failed operation a person chose to skip.
			return nil, skip, nil
		}
	case journal.Held:
		switch e.Decision {
		case journal.Skip:
			return nil, skip, nil
		case journal.Rerun:
			if e.Op.Kind == ops.KindRun {
				in = nil // a fresh run; file operations finish their intent
			}
		default:
			r.sum.Held = append(r.sum.Held, *e)
			log.Warn().Str("entry", e.Raw).Str("reason", e.HeldReason).Msg("operation held: decide with smswork resolve")
			return nil, wait, nil
		}
	case journal.Reboot:
		return in, proceed, nil
	case journal.Intent:
		e.Interrupted++
		if reason := r.holdReason(e); reason != "" {
			if err := r.marker.update(func(tx *journal.Tx) error {
				_, err := tx.Hold(e, reason, r.now())
				return err
			}); err != nil {
				return nil, proceed, err
			}
			r.sum.Held = append(r.sum.Held, *e)
			log.Warn().Str("entry", e.Raw).Str("reason", reason).Msg("operation held: decide with smswork resolve")
			return nil, wait, nil
		}
		log.Warn().Str("entry", e.Raw).Msg("finishing interrupted operation")
		if e.Op.Kind == ops.KindRun {
			in = nil
		}
	}
	return in, proceed, nil
}

// holdReason says why interrupted operation e must wait for a person
// (the text of its held record), or "" when it may be finished.
func (r *runner) holdReason(e *journal.Entry) string {
	switch {
	case e.Interrupted >= r.cfg.MaxAttempts:
		return fmt.Sprintf("interrupted %d times (--max-attempts %d)", e.Interrupted, r.cfg.MaxAttempts)
	case e.Op.Kind == ops.KindRun && r.cfg.Interrupted == PolicyHold:
		return "interrupted while running (--interrupted=hold)"
	}
	return ""
}

// intent makes e's intent marker durable (with the deferred commit
// marker of the operation before it). Under run --atomic, a batch whose
// first operation this is becomes atomic in the same transaction.
func (r *runner) intent(e *journal.Entry, in *ops.Intent) error {
	first := e.State == journal.Queued && e.Pos == 1
	return r.marker.update(func(tx *journal.Tx) error {
		if first && r.cfg.Atomic {
			if _, err := tx.SetAtomic(e.Batch, r.cfg.OnRollback); err != nil && !errors.Is(err, journal.ErrState) {
				return err
			}
		}
		return tx.SetIntent(e, in, r.now())
	})
}

// failure is a failed result with error text msg, at the time it is
// decided (inUse: a file held open by another process).
func (r *runner) failure(msg string, inUse bool) ops.Result {
	now := r.now()
	return ops.Result{Outcome: ops.Failed, Err: msg, InUse: inUse, Start: now, End: now}
}

// beginScope opens a scope of the executor's drives, when it keeps one
// (exec.Executor.BeginScope); the returned function ends it, and may be
// called again.
func (r *runner) beginScope() (end func()) {
	if s, ok := r.cfg.Exec.(scoper); ok {
		return s.BeginScope()
	}
	return func() {}
}

// prepare computes e's intent with the prior state of what it will
// change (its backups, named by its next attempt). Both read only, in one
// scope of the drives: each folder they look into is opened once.
func (r *runner) prepare(e *journal.Entry) (*ops.Intent, error) {
	defer r.beginScope()()
	in, err := r.cfg.Exec.Prepare(&e.Op, e.Seq)
	if err != nil || e.Op.Kind == ops.KindRun {
		return in, err
	}
	if r.cfg.Backups == nil {
		in.Irreversible = "run with backups off"
		return in, nil
	}
	if err := r.cfg.Backups.Plan(e.Seq, e.Attempts+1, &e.Op, in); err != nil {
		return nil, fmt.Errorf("plan backups: %w", err)
	}
	return in, nil
}

// commit writes e's commit marker with result res. A failure stops the
// queue (the operation stays queued and in SMS.INI) unless
// ContinueOnError. The marker of a file operation that succeeded is
// deferred to the next transaction (deferredMarker); a run operation's, a
// failure's and a skip's are written at once, so that a crash never runs
// a program again, nor hides a failure, for want of a marker.
//
// A failure in an atomic batch always stops the queue, after the batch is
// rolled back (see undoBatch).
func (r *runner) commit(ctx context.Context, e *journal.Entry, res ops.Result, log zerolog.Logger) (stop bool, err error) {
	stay := res.Outcome == ops.Failed && (!r.cfg.ContinueOnError || res.InUse)
	if (res.Outcome == ops.Done || res.Outcome == ops.AlreadyDone) && e.Op.Kind != ops.KindRun {
		r.marker.set(e, res, log)
		r.sinceMirror++
		return false, nil
	}
	if res.Outcome == ops.Failed {
		atomic, err := r.batchAtomic(e.Batch)
		if err != nil {
			return false, err
		}
		if atomic != nil {
			return true, r.rollback(ctx, e, res, log)
		}
	}
	return r.write(e, res, stay, log)
}

// write writes e's commit marker at once.
func (r *runner) write(e *journal.Entry, res ops.Result, stay bool, log zerolog.Logger) (stop bool, err error) {
	var rec *journal.Record
	err = r.marker.update(func(tx *journal.Tx) (err error) {
		rec, err = tx.Commit(e, res, stay, r.now())
		return err
	})
	if err != nil {
		return false, err
	}
	r.committed(e, rec, log)
	if stay {
		if !r.sum.Deadline {
			r.sum.Failed = rec
		}
		return true, nil
	}
	r.sinceMirror++
	return false, nil
}

// committed notes a durable commit marker.
func (r *runner) committed(e *journal.Entry, rec *journal.Record, log zerolog.Logger) {
	r.fp.Hit("op.after-commit")
	r.sum.Outcomes[rec.Outcome]++
	r.progressCommitted(rec)
	if r.cfg.OnRecord != nil {
		r.cfg.OnRecord(rec)
	}
	ev := log.Info()
	if rec.Outcome == ops.Failed {
		ev = log.Error().Str("error", rec.Result.Err)
	}
	ev.Str("outcome", string(rec.Outcome)).Uint64("record", rec.ID).Msg("end")
}
