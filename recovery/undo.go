package recovery

import (
	"context"
	"errors"
	"fmt"
	"math"

	"smswork/journal"
	"smswork/ops"
)

// Backups is what the drain loop needs of the backup folder
// (backup.Store): the prior state of what file operations change, kept
// before they change it, and put back by an undo.
type Backups interface {
	// Plan records in in.Backups the prior state of every path op will
	// change (reads only); seq and attempt name the backup files.
	Plan(seq uint64, attempt int, op *ops.Op, in *ops.Intent) error
	// Capture makes the backups in names durable (idempotent); it runs
	// once the intent marker is, before the operation starts.
	Capture(in *ops.Intent) error
	// Restore puts every path of in.Backups back to its prior state, in
	// reverse order (idempotent; fp is called at named failpoints).
	Restore(in *ops.Intent, fp func(string)) (ops.Result, error)
	// Conflicts lists paths that changed since op (with result res) left
	// them: an undo would overwrite a later change.
	Conflicts(op *ops.Op, in *ops.Intent, res *ops.Result) ([]string, error)
	// Remove deletes backup files (retention).
	Remove(names []string) error
}

// irreversible says why the operation of record r cannot be undone, or "".
func irreversible(r *journal.Record) string {
	if why := ops.Irreversible(&r.Op); why != "" {
		return why
	}
	if r.Intent != nil && r.Intent.Irreversible != "" {
		return r.Intent.Irreversible
	}
	return ""
}

// UndoError is an undo step that could not be done: the batch stays being
// undone, and every start of smswork tries it again first.
type UndoError struct {
	Batch, Seq uint64
	Raw        string
	Err        error
}

func (e *UndoError) Error() string {
	return fmt.Sprintf("undo of batch %d stopped at operation %d (%s): %v; fix what is said and run smswork again to finish it",
		e.Batch, e.Seq, e.Raw, e.Err)
}

func (e *UndoError) Unwrap() error { return e.Err }

// RolledBack is what the rollback of an atomic batch did.
type RolledBack struct {
	Batch uint64
	// Failed is the operation whose failure started it.
	Failed uint64
	// Undone counts the undo steps.
	Undone int
	// Barrier, when not 0, is the operation the rollback stopped at (a
	// run operation): it and those before it keep their effects.
	Barrier uint64
	// Choice is what became of the batch.
	Choice journal.RollbackChoice
	// Mode says whether this was a rollback or an undo.
	Mode journal.UndoMode
}

// batchAtomic returns batch id when it is atomic, else nil.
func (r *runner) batchAtomic(id uint64) (*journal.Batch, error) {
	var b *journal.Batch
	err := r.cfg.Journal.View(func(tx *journal.Tx) (err error) {
		b, err = tx.Batch(id)
		if errors.Is(err, journal.ErrNotFound) {
			b, err = nil, nil
		}
		return err
	})
	if err != nil || b == nil || !b.Atomic {
		return nil, err
	}
	return b, nil
}

// resumeUndos finishes every undo a crash interrupted: the first thing a
// start does after SMS.INI is reconciled.
func (r *runner) resumeUndos(ctx context.Context) error {
	var ids []uint64
	if err := r.cfg.Journal.View(func(tx *journal.Tx) (err error) {
		ids, err = tx.Undoing()
		return err
	}); err != nil {
		return err
	}
	for _, id := range ids {
		r.log.Warn().Uint64("batch", id).Msg("finishing an interrupted undo")
		if _, err := r.undoBatch(ctx, id, "", 0, ""); err != nil {
			return err
		}
	}
	return nil
}

// undoBatch undoes batch id: it starts the undo (mode, failed, by) unless
// one is in progress, then restores the prior state kept by each undo
// step, newest first, each committed by an audit record, until none is
// left or one cannot be undone (a barrier), and finishes the batch (see
// finishUndo).
func (r *runner) undoBatch(ctx context.Context, id uint64, mode journal.UndoMode, failed uint64, by string) (*RolledBack, error) {
	if err := r.marker.flush(); err != nil {
		return nil, err
	}
	var b *journal.Batch
	err := r.marker.update(func(tx *journal.Tx) (err error) {
		if b, err = tx.Batch(id); err != nil {
			return err
		}
		if b.Undo != nil {
			return nil
		}
		return tx.StartUndo(b, mode, failed, by, r.now())
	})
	if err != nil {
		return nil, err
	}
	out := &RolledBack{Batch: id, Failed: b.Undo.Failed, Choice: b.OnRollback, Mode: b.Undo.Mode}
	r.fp.Hit("undo.after-start")
	for {
		var st journal.UndoStep
		var rec *journal.Record
		err := r.cfg.Journal.View(func(tx *journal.Tx) error {
			return tx.UndoSteps(id, b.Undo.BelowSeq, b.Undo.BelowRec, func(s journal.UndoStep, rc *journal.Record) error {
				st, rec = s, rc
				return journal.ErrStop
			})
		})
		if err != nil {
			return nil, err
		}
		if rec == nil {
			break
		}
		if why := irreversible(rec); why != "" {
			out.Barrier = rec.Seq
			r.log.Warn().Uint64("batch", id).Uint64("seq", rec.Seq).Str("entry", rec.Raw).Str("reason", why).
				Msg("undo stops here: this operation cannot be undone; it and those before it keep their effects")
			break
		}
		res, err := r.restore(rec)
		if err != nil {
			return nil, &UndoError{Batch: id, Seq: rec.Seq, Raw: rec.Raw, Err: err}
		}
		var done *journal.Record
		if err := r.marker.update(func(tx *journal.Tx) (err error) {
			done, err = tx.Undone(b, st, rec, res, r.now())
			return err
		}); err != nil {
			return nil, err
		}
		out.Undone++
		r.committed(&journal.Entry{Seq: rec.Seq, Batch: rec.Batch, Pos: rec.Pos}, done,
			r.log.With().Uint64("batch", rec.Batch).Int("pos", rec.Pos).Uint64("seq", rec.Seq).Str("op", "undo").Logger())
		r.fp.Hit("undo.after-step")
	}
	var recs []*journal.Record
	if err := r.marker.update(func(tx *journal.Tx) (err error) {
		recs, err = finishUndo(tx, b, out.Barrier, r.now())
		return err
	}); err != nil {
		return nil, err
	}
	for _, rec := range recs {
		r.committed(&journal.Entry{Seq: rec.Seq, Batch: rec.Batch, Pos: rec.Pos}, rec,
			r.log.With().Uint64("batch", rec.Batch).Int("pos", rec.Pos).Uint64("seq", rec.Seq).Logger())
		r.sinceMirror++
	}
	r.sum.Undos = append(r.sum.Undos, *out)
	if r.cfg.OnProgress != nil {
		// A rollback kept queued opens its operations again.
		if err := r.countOpen(); err != nil {
			return nil, err
		}
	}
	msg := "batch undone"
	if out.Mode == journal.UndoRollback {
		msg = "batch rolled back"
	}
	r.log.Warn().Uint64("batch", id).Int("undone", out.Undone).Uint64("barrier", out.Barrier).
		Str("mode", string(out.Mode)).Str("then", string(out.Choice)).Msg(msg)
	return out, nil
}

// restore puts back the prior state rec's intent kept.
func (r *runner) restore(rec *journal.Record) (ops.Result, error) {
	if rec.Intent == nil || len(rec.Intent.Backups) == 0 {
		now := r.now()
		return ops.Result{Outcome: ops.AlreadyDone, Start: now, End: now}, nil
	}
	if r.cfg.Backups == nil {
		return ops.Result{}, errors.New("the backup folder is not open")
	}
	return r.cfg.Backups.Restore(rec.Intent, r.fp.Hit)
}

// UndoOptions are smswork undo's choices.
type UndoOptions struct {
	// Partial undoes back to the last operation that cannot be undone (a
	// run), instead of refusing.
	Partial bool
	// Force undoes even where a path changed after the batch ran.
	Force bool
	// By names who asked, for the audit.
	By string
}

// UndoRefused is an undo that was not started, and why (exit status 2).
type UndoRefused struct {
	Batch    uint64
	Problems []string
}

func (e *UndoRefused) Error() string {
	s := fmt.Sprintf("batch %d cannot be undone:", e.Batch)
	for _, p := range e.Problems {
		s += "\n  " + p
	}
	return s
}

// Undo is smswork undo BATCH: it finishes interrupted undos (the start
// path's recovery), checks that batch id finished, still has its backups,
// holds no operation that cannot be undone (unless opts.Partial) and that
// nothing it left was changed since (unless opts.Force), then undoes it:
// journaled step by step, so a crash at any point is finished by the next
// start. SMS.INI is not touched: a finished batch is no longer in it.
func Undo(ctx context.Context, cfg Config, id uint64, opts UndoOptions) (*Summary, error) {
	r := newRunner(cfg)
	if err := r.resumeUndos(ctx); err != nil {
		return r.sum, err
	}
	var problems []string
	err := cfg.Journal.View(func(tx *journal.Tx) error {
		b, err := tx.Batch(id)
		if err != nil {
			return err
		}
		switch {
		case b.State == journal.BatchUndone:
			problems = append(problems, "it was undone already")
		case b.State == journal.BatchDropped:
			problems = append(problems, "it was rolled back and dropped")
		case b.Backups != "":
			problems = append(problems, "its backups were removed by the retention setting (--keep-backups)")
		}
		if len(problems) > 0 {
			return nil
		}
		if ok, err := tx.BatchFinished(b); err != nil {
			return err
		} else if !ok {
			problems = append(problems, "it has not finished: operations of it are still queued (see smswork status)")
			return nil
		}
		// A path is checked against the newest operation that changed it:
		// an older one's result was meant to be changed by the batch.
		seen := map[ops.Path]bool{}
		steps := 0
		return tx.UndoSteps(id, math.MaxUint64, math.MaxUint64, func(_ journal.UndoStep, rec *journal.Record) error {
			if why := irreversible(rec); why != "" {
				switch {
				case !opts.Partial:
					problems = append(problems, fmt.Sprintf("entry %d (%s) cannot be undone: %s; --partial undoes the operations after it", rec.Pos, rec.Raw, why))
				case steps == 0:
					// Undoing nothing must not use the batch up.
					problems = append(problems, fmt.Sprintf("nothing to undo: entry %d (%s), the last of the batch to change anything, cannot be undone: %s", rec.Pos, rec.Raw, why))
				}
				return journal.ErrStop
			}
			steps++
			if opts.Force || cfg.Backups == nil || rec.Intent == nil {
				return nil
			}
			in := *rec.Intent
			in.Backups = nil
			for _, bk := range rec.Intent.Backups {
				if !seen[bk.Path] {
					in.Backups = append(in.Backups, bk)
				}
			}
			for _, bk := range rec.Intent.Backups {
				seen[bk.Path] = true
			}
			cs, err := cfg.Backups.Conflicts(&rec.Op, &in, &rec.Result)
			if err != nil {
				return err
			}
			for _, c := range cs {
				problems = append(problems, fmt.Sprintf("entry %d (%s): %s changed since; --force undoes anyway", rec.Pos, rec.Raw, c))
			}
			return nil
		})
	})
	if err != nil {
		return r.sum, err
	}
	if len(problems) > 0 {
		return r.sum, &UndoRefused{Batch: id, Problems: problems}
	}
	if _, err = r.undoBatch(ctx, id, journal.UndoLater, 0, opts.By); err != nil {
		return r.sum, err
	}
	// The backups the undo restored are done with.
	return r.sum, r.pruneBackups()
}
