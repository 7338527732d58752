package journal

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	"smswork/ops"
)

// The storage steps that end an undo or a rollback. Each one changes the
// journal inside the caller's transaction and stores what it changes
// (the batch, the entry); none decides anything. Which of them end a
// given undo, and the text of a dropped entry's record, is recovery's
// choice (recovery/rollback.go).

// EndUndo ends the bookkeeping of batch b's undo: b.Undo is cleared, the
// operation the undo stopped at is recorded as b.UndoBarrier (0 for
// none), and b leaves the batches being undone (Undoing), so that no
// start finishes it again. It is ErrState when b is not being undone.
func (t *Tx) EndUndo(b *Batch, barrier uint64) error {
	if b.Undo == nil {
		return fmt.Errorf("batch %d is not being undone: %w", b.ID, ErrState)
	}
	b.Undo, b.UndoBarrier = nil, barrier
	ids, err := t.Undoing()
	if err != nil {
		return err
	}
	left := ids[:0]
	for _, id := range ids {
		if id != b.ID {
			left = append(left, id)
		}
	}
	if len(left) == 0 {
		err = t.meta().Delete(keyUndoing)
	} else {
		err = t.putJSON(t.meta(), keyUndoing, left)
	}
	if err != nil {
		return err
	}
	return t.PutBatch(b)
}

// DiscardSteps forgets the undo steps of b's operations after operation
// above (all of them when above is 0): no later undo walks them. The
// backup files they name move to b.Discard, removed by the next backup
// prune (PrunePending is set).
func (t *Tx) DiscardSteps(b *Batch, above uint64) error {
	prefix := u64(b.ID)
	var keys [][]byte
	c := t.checked(bucketUndo).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if binary.BigEndian.Uint64(k[8:16]) <= above {
			continue
		}
		keys = append(keys, append([]byte(nil), k...))
		if len(v) == 0 {
			continue
		}
		var ns []string
		if err := json.Unmarshal(v, &ns); err != nil {
			return fmt.Errorf("undo step of batch %d: %w: %v", b.ID, ErrCorrupt, err)
		}
		b.Discard = append(b.Discard, ns...)
	}
	for _, k := range keys {
		if err := t.tx.Bucket(bucketUndo).Delete(k); err != nil {
			return err
		}
	}
	if len(b.Discard) > 0 {
		if err := t.meta().Put(keyPrunePending, []byte{1}); err != nil {
			return err
		}
	}
	return t.PutBatch(b)
}

// ForgetBackups marks b's backups pruned and takes their size out of
// BackupBytes: b can never be undone again. The files themselves go with
// b.Discard (DiscardSteps).
func (t *Tx) ForgetBackups(b *Batch) error {
	if err := t.uncount(b); err != nil {
		return err
	}
	b.Backups = BackupsPruned
	return t.PutBatch(b)
}

// SetBatchState records s as b's state.
func (t *Tx) SetBatchState(b *Batch, s BatchState) error {
	b.State = s
	return t.PutBatch(b)
}

// CountRollback counts one more rollback of b after which b stayed
// queued (Batch.RolledBack).
func (t *Tx) CountRollback(b *Batch) error {
	b.RolledBack++
	return t.PutBatch(b)
}

// BatchEntries calls fn with each operation of b still in the queue, in
// order (those committed and out of SMS.INI are gone). Each is read on
// its own, so fn may store changes to it through t.
func (t *Tx) BatchEntries(b *Batch, fn func(*Entry) error) error {
	for i := range b.Entries {
		e, err := t.Get(b.FirstSeq + uint64(i))
		if err != nil {
			if isNotFound(err) {
				continue
			}
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return nil
}

// Requeue puts e back to Queued with no intent, decision or held reason:
// its next run starts it afresh, with a new intent.
func (t *Tx) Requeue(e *Entry) error {
	e.State, e.Intent = Queued, nil
	e.Decision, e.DecidedBy, e.DecidedAt, e.HeldReason = "", "", time.Time{}, ""
	return t.Put(e)
}

// MarkCommitted makes e Committed without an audit record: one says its
// outcome already (an operation Staged in an atomic batch).
func (t *Tx) MarkCommitted(e *Entry) error {
	e.State = Committed
	return t.Put(e)
}

// Drop commits e unrun (or undone): an audit record with outcome
// ops.Dropped, why as its error text, and no decision; then e is
// Committed, to leave SMS.INI.
func (t *Tx) Drop(e *Entry, why string, now time.Time) (*Record, error) {
	e.Decision, e.DecidedBy, e.DecidedAt = "", "", time.Time{}
	rec, err := t.appendRecord(e, ops.Result{Outcome: ops.Dropped, Start: now, End: now, Err: why}, false, now)
	if err != nil {
		return nil, err
	}
	e.State = Committed
	return rec, t.Put(e)
}
