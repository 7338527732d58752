package recovery

import (
	"context"
	"fmt"
	"time"

	"github.com/rs/zerolog"

	"smswork/journal"
	"smswork/ops"
)

// rollback commits the failure res of operation e of an atomic batch and,
// in the same transaction, the start of the batch's rollback (so that no
// crash between them can make the next start try the operation again
// instead), then undoes the batch.
func (r *runner) rollback(ctx context.Context, e *journal.Entry, res ops.Result, log zerolog.Logger) error {
	var rec *journal.Record
	var b *journal.Batch
	err := r.marker.update(func(tx *journal.Tx) (err error) {
		if rec, err = tx.Commit(e, res, true, r.now()); err != nil {
			return err
		}
		if b, err = tx.Batch(e.Batch); err != nil {
			return err
		}
		return tx.StartUndo(b, journal.UndoRollback, e.Seq, "", r.now())
	})
	if err != nil {
		return err
	}
	r.committed(e, rec, log)
	r.sum.Failed = rec
	r.log.Warn().Uint64("batch", b.ID).Uint64("failed", e.Seq).Str("then", string(b.OnRollback)).
		Msg("an operation of an atomic batch failed: undoing what the batch did")
	_, err = r.undoBatch(ctx, b.ID, journal.UndoRollback, e.Seq, "")
	return err
}

// droppedText is the error text of the audit record of an entry of
// atomic batch id dropped after its rollback.
func droppedText(id uint64) string {
	return fmt.Sprintf("atomic batch %d rolled back; its author chose to drop it", id)
}

// finishUndo ends the undo of batch b, in tx, once its steps are done
// (undoBatch). barrier, when not 0, is the operation the undo stopped at:
// it and those before it keep their effects. It decides what becomes of
// the batch and returns the audit records it wrote:
//
//   - An undo a person asked for (journal.UndoLater) leaves the batch
//     undone, never to be undone again: all its undo steps and backups go.
//   - A rollback whose author chose journal.RollbackKeep queues the
//     batch again from the operation after the barrier (SMS.INI still lists
//     it, its entries were only staged): the steps restored go (a later
//     rollback must not walk them again), those up to the barrier stay.
//   - A rollback with journal.RollbackDrop drops those operations, each
//     with a dropped audit record (droppedText), and leaves the batch
//     dropped, never to be undone again: all its steps and backups go.
//
// Either way a rollback commits the batch's operations up to the barrier
// (their records are written already); a barrier that itself failed
// follows the author's choice with the rest.
func finishUndo(tx *journal.Tx, b *journal.Batch, barrier uint64, now time.Time) ([]*journal.Record, error) {
	u := b.Undo
	if err := tx.EndUndo(b, barrier); err != nil {
		return nil, err
	}
	drop := b.OnRollback == journal.RollbackDrop
	final := u.Mode == journal.UndoLater || drop
	above := barrier
	if final {
		above = 0
	}
	if err := tx.DiscardSteps(b, above); err != nil {
		return nil, err
	}
	if final {
		if err := tx.ForgetBackups(b); err != nil {
			return nil, err
		}
	}
	if u.Mode == journal.UndoLater {
		return nil, tx.SetBatchState(b, journal.BatchUndone)
	}
	var recs []*journal.Record
	err := tx.BatchEntries(b, func(e *journal.Entry) error {
		switch {
		case e.State == journal.Committed:
			return nil
		case barrier != 0 && (e.Seq < barrier || e.Seq == barrier && e.Seq != u.Failed):
			return tx.MarkCommitted(e)
		case drop:
			rec, err := tx.Drop(e, droppedText(b.ID), now)
			if err != nil {
				return err
			}
			recs = append(recs, rec)
			return nil
		default:
			return tx.Requeue(e)
		}
	})
	if err != nil {
		return nil, err
	}
	if drop {
		return recs, tx.SetBatchState(b, journal.BatchDropped)
	}
	return recs, tx.CountRollback(b)
}
