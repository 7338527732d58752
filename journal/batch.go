package journal

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"time"

	"smswork/ops"
)

// RollbackChoice is what the author of an atomic batch chose to become of
// it once a failure has been rolled back (recovery carries it out).
type RollbackChoice string

// The choices of an atomic batch's author.
const (
	// RollbackKeep queues the whole batch again (the default): SMS.INI
	// keeps listing it and the next run tries it again from its start.
	RollbackKeep RollbackChoice = "keep"
	// RollbackDrop removes the batch from the queue and from SMS.INI;
	// each entry's audit record says it was dropped.
	RollbackDrop RollbackChoice = "drop"
)

// BatchState is where a batch is in its life.
type BatchState string

// The states of a batch ("" is a batch with work left).
const (
	// BatchDone: its last operation is committed.
	BatchDone BatchState = "done"
	// BatchDropped: an atomic batch rolled back and dropped.
	BatchDropped BatchState = "dropped"
	// BatchUndone: smswork undo restored what it changed (back to its
	// UndoBarrier, when it has one).
	BatchUndone BatchState = "undone"
)

// BackupsState says whether a batch's backups are still kept.
type BackupsState string

// The states of a batch's backups ("" kept).
const (
	// BackupsPruning: the retention setting is removing them; the batch
	// can no longer be undone, and the next prune finishes the removal.
	BackupsPruning BackupsState = "pruning"
	// BackupsPruned: removed; the batch can no longer be undone.
	BackupsPruned BackupsState = "pruned"
)

// UndoMode says why a batch is being undone.
type UndoMode string

// The undo modes.
const (
	// UndoRollback: an operation of an atomic batch failed.
	UndoRollback UndoMode = "rollback"
	// UndoLater: a person asked (smswork undo BATCH) after it finished.
	UndoLater UndoMode = "undo"
)

// UndoProgress is an undo of a batch in progress: its intent marker. The
// undo walks the batch's undo steps (the audit records of its operations
// that reached their intent, see Tx.UndoSteps) newest first; each step
// restores the prior state its record's intent kept (ops.Backup), which
// may be repeated after a crash, and is committed by an audit record with
// outcome undone in the same transaction that moves Below past it.
type UndoProgress struct {
	Mode UndoMode `json:"mode"`
	// BelowSeq and BelowRec bound the steps left: those with a key
	// (seq, record) below them.
	BelowSeq uint64 `json:"belowSeq"`
	BelowRec uint64 `json:"belowRec"`
	// Failed is the operation whose failure started a rollback.
	Failed  uint64    `json:"failed,omitempty"`
	Started time.Time `json:"started"`
	By      string    `json:"by,omitempty"`
}

// undoKey is the key of an undo step in the undo bucket: batch, seq and
// record, each 8 bytes big-endian.
func undoKey(batch, seq, rec uint64) []byte {
	k := make([]byte, 24)
	binary.BigEndian.PutUint64(k, batch)
	binary.BigEndian.PutUint64(k[8:], seq)
	binary.BigEndian.PutUint64(k[16:], rec)
	return k
}

// undoable says whether a record is an undo step of its batch: an outcome
// of an operation that reached its intent and may have changed files.
func undoable(r *Record) bool {
	if r.Intent == nil {
		return false
	}
	switch r.Outcome {
	case ops.Done, ops.AlreadyDone, ops.Failed, ops.Held:
		return true
	}
	return false
}

// Batch returns batch id.
func (t *Tx) Batch(id uint64) (*Batch, error) {
	v := t.tx.Bucket(bucketBatches).Get(u64(id))
	if v == nil {
		return nil, fmt.Errorf("batch %d: %w", id, ErrNotFound)
	}
	var b Batch
	if err := json.Unmarshal(v, &b); err != nil {
		return nil, fmt.Errorf("batch %d: %w: %v", id, ErrCorrupt, err)
	}
	return &b, nil
}

// PutBatch stores b.
func (t *Tx) PutBatch(b *Batch) error { return t.putJSON(t.tx.Bucket(bucketBatches), u64(b.ID), b) }

// Batches calls fn for each batch, oldest first; fn returns ErrStop to end
// the walk early.
func (t *Tx) Batches(fn func(*Batch) error) error {
	c := t.tx.Bucket(bucketBatches).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		var b Batch
		if err := json.Unmarshal(v, &b); err != nil {
			return fmt.Errorf("batch %d: %w: %v", u64key(k), ErrCorrupt, err)
		}
		if err := fn(&b); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// SetAtomic makes batch id all-or-nothing with choice c. It is refused
// once an operation of the batch has committed.
func (t *Tx) SetAtomic(id uint64, c RollbackChoice) (*Batch, error) {
	b, err := t.Batch(id)
	if err != nil {
		return nil, err
	}
	if b.Atomic {
		return b, nil
	}
	open, err := t.batchOpen(b)
	if err != nil {
		return nil, err
	}
	if open != b.Entries {
		return nil, fmt.Errorf("batch %d has committed operations: it can no longer be made atomic: %w", id, ErrState)
	}
	b.Atomic, b.OnRollback = true, c
	return b, t.PutBatch(b)
}

// batchOpen counts the operations of b that are not committed (staged ones
// count as not committed).
func (t *Tx) batchOpen(b *Batch) (int, error) {
	n := 0
	for i := range b.Entries {
		e, err := t.Get(b.FirstSeq + uint64(i))
		if err != nil {
			if isNotFound(err) {
				continue // committed and out of SMS.INI
			}
			return 0, err
		}
		if e.State != Committed {
			n++
		}
	}
	return n, nil
}

// BatchFinished reports whether every operation of b is committed.
func (t *Tx) BatchFinished(b *Batch) (bool, error) {
	n, err := t.batchOpen(b)
	return n == 0, err
}

// afterCommit keeps batch b's state after entry e's commit marker: an
// atomic batch's entry is Staged until the batch's last one commits,
// which turns them all Committed, and the backups e's intent kept are
// counted.
func (t *Tx) afterCommit(e *Entry, stay bool) error {
	if stay {
		return nil
	}
	b, err := t.Batch(e.Batch)
	if err != nil {
		if isNotFound(err) {
			return nil // ingested before batches were kept (no entries)
		}
		return err
	}
	if e.Pos < b.Entries {
		if b.Atomic {
			e.State = Staged
		}
		return nil
	}
	if b.Atomic {
		for i := range b.Entries - 1 {
			o, err := t.Get(b.FirstSeq + uint64(i))
			if err != nil {
				if isNotFound(err) {
					continue
				}
				return err
			}
			if o.State == Staged {
				o.State = Committed
				if err := t.Put(o); err != nil {
					return err
				}
			}
		}
	}
	b.State = BatchDone
	return t.PutBatch(b)
}

// CommittedBy says which entries the commit marker of e would leave
// Committed, were it written now (a success: not one that stays queued),
// by afterCommit's rule, without writing anything: e itself, unless it is
// not the last of an atomic batch (it is Staged then); for the last of an
// atomic batch, every Staged entry of that batch too. A nil e commits
// nothing. The runner counts a deferred marker it is about to write in
// the same transaction as committed (recovery's readWindow).
func (t *Tx) CommittedBy(e *Entry) (func(*Entry) bool, error) {
	if e == nil {
		return func(*Entry) bool { return false }, nil
	}
	b, err := t.Batch(e.Batch)
	switch {
	case isNotFound(err) || err == nil && !b.Atomic:
		return func(o *Entry) bool { return o.Seq == e.Seq }, nil
	case err != nil:
		return nil, err
	case e.Pos < b.Entries:
		return func(*Entry) bool { return false }, nil
	}
	return func(o *Entry) bool {
		return o.Seq == e.Seq || o.Batch == e.Batch && o.State == Staged
	}, nil
}

// countBackups adds the sizes of the file backups in to e's batch.
func (t *Tx) countBackups(e *Entry, in *ops.Intent) error {
	var n int64
	for _, bk := range in.Backups {
		if bk.Prior == ops.PriorFile {
			n += bk.Size
		}
	}
	if n == 0 {
		return nil
	}
	b, err := t.Batch(e.Batch)
	if err != nil {
		return err
	}
	b.BackupBytes += n
	if err := t.meta().Put(keyBackupSum, u64(t.BackupBytes()+uint64(n))); err != nil {
		return err
	}
	return t.PutBatch(b)
}

// uncount takes b's backups out of the sum BackupBytes returns.
func (t *Tx) uncount(b *Batch) error {
	sum := t.BackupBytes()
	if n := uint64(b.BackupBytes); n < sum {
		sum -= n
	} else {
		sum = 0
	}
	return t.meta().Put(keyBackupSum, u64(sum))
}

// BackupBytes returns the sum of the backup sizes of every batch whose
// backups are not pruned yet.
func (t *Tx) BackupBytes() uint64 { return getU64(t.meta(), keyBackupSum) }

// indexUndo records rec as an undo step of its batch when it is one; the
// value lists the backup files its intent names, so that they can be
// removed when the record itself is gone (a history prune).
func (t *Tx) indexUndo(rec *Record) error {
	if !undoable(rec) {
		return nil
	}
	var names []string
	for _, bk := range rec.Intent.Backups {
		if bk.Name != "" {
			names = append(names, bk.Name)
		}
	}
	var v []byte
	if len(names) > 0 {
		var err error
		if v, err = json.Marshal(names); err != nil {
			return err
		}
	}
	return t.tx.Bucket(bucketUndo).Put(undoKey(rec.Batch, rec.Seq, rec.ID), v)
}

// keepsUndo says whether the records of batch b must stay for an undo
// that cannot be refused: b is atomic with work left (a failure rolls it
// back), or being undone.
func keepsUndo(b *Batch) bool { return b.Undo != nil || (b.Atomic && b.State == "") }

// loseUndo records that a history prune removed an undo step of batch
// id: the batch can no longer be undone, and its backups are removed by
// the next backup prune (PrunePending).
func (t *Tx) loseUndo(id uint64) error {
	b, err := t.Batch(id)
	if err != nil {
		return err
	}
	if b.Backups != "" {
		return nil
	}
	b.Backups = BackupsPruning
	if err := t.meta().Put(keyPrunePending, []byte{1}); err != nil {
		return err
	}
	return t.PutBatch(b)
}

// PrunePending says a history prune left batches whose backups must go
// (BackupsPruning); ClearPrunePending forgets it once they went.
func (t *Tx) PrunePending() bool { return t.meta().Get(keyPrunePending) != nil }

// ClearPrunePending: see PrunePending.
func (t *Tx) ClearPrunePending() error { return t.meta().Delete(keyPrunePending) }

// Record returns history record id.
func (t *Tx) Record(id uint64) (*Record, error) {
	v := t.checked(bucketHistory).Get(u64(id))
	if v == nil {
		return nil, fmt.Errorf("history record %d: %w", id, ErrNotFound)
	}
	r, err := DecodeRecord(v)
	if err != nil {
		return nil, fmt.Errorf("history record %d: %w", id, err)
	}
	return r, nil
}

// UndoStep is one step of a batch's undo: an audit record whose intent
// kept the prior state of what its operation changed.
type UndoStep struct {
	Seq, Rec uint64
}

// UndoSteps calls fn with the undo steps of batch id whose key lies below
// (belowSeq, belowRec), newest first; fn returns ErrStop to end the walk.
// A step whose record a history prune removed is an error wrapping
// ErrNotFound: the batch can no longer be undone.
func (t *Tx) UndoSteps(id, belowSeq, belowRec uint64, fn func(UndoStep, *Record) error) error {
	b := t.checked(bucketUndo)
	if b == nil {
		return nil // a journal from before undo existed, opened read-only
	}
	prefix := u64(id)
	c := b.Cursor()
	k, _ := c.Seek(undoKey(id, belowSeq, belowRec))
	if k == nil {
		k, _ = c.Last()
	} else {
		k, _ = c.Prev()
	}
	for ; k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Prev() {
		st := UndoStep{Seq: binary.BigEndian.Uint64(k[8:16]), Rec: binary.BigEndian.Uint64(k[16:])}
		r, err := t.Record(st.Rec)
		if err != nil {
			return fmt.Errorf("undo step of operation %d: %w", st.Seq, err)
		}
		if err := fn(st, r); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// StartUndo writes the intent marker of an undo of batch b: from now on,
// until FinishUndo, every start of smswork finishes it first (Undoing).
func (t *Tx) StartUndo(b *Batch, mode UndoMode, failed uint64, by string, now time.Time) error {
	if b.Undo != nil {
		return fmt.Errorf("batch %d is already being undone: %w", b.ID, ErrState)
	}
	b.Undo = &UndoProgress{Mode: mode, BelowSeq: math.MaxUint64, BelowRec: math.MaxUint64,
		Failed: failed, Started: now.UTC(), By: by}
	ids, err := t.Undoing()
	if err != nil {
		return err
	}
	if err := t.putJSON(t.meta(), keyUndoing, append(ids, b.ID)); err != nil {
		return err
	}
	return t.PutBatch(b)
}

// Undoing returns the batches whose undo has started and not finished.
func (t *Tx) Undoing() ([]uint64, error) {
	var ids []uint64
	v := t.meta().Get(keyUndoing)
	if v == nil {
		return nil, nil
	}
	if err := json.Unmarshal(v, &ids); err != nil {
		return nil, fmt.Errorf("batches being undone: %w: %v", ErrCorrupt, err)
	}
	return ids, nil
}

// Undone commits one undo step: the audit record of step st of batch b
// (outcome undone, with what the restore did in res), and the move of b's
// undo past it.
func (t *Tx) Undone(b *Batch, st UndoStep, orig *Record, res ops.Result, now time.Time) (*Record, error) {
	if b.Undo == nil {
		return nil, fmt.Errorf("batch %d is not being undone: %w", b.ID, ErrState)
	}
	e := &Entry{Seq: orig.Seq, Batch: orig.Batch, Pos: orig.Pos, Raw: orig.Raw, Op: orig.Op,
		Intent: orig.Intent, Attempts: orig.Attempts}
	e.DecidedBy = b.Undo.By
	res.Outcome = ops.Undone
	rec, err := t.appendRecordWith(e, res, false, now, func(r *Record) { r.Undoes = st.Rec })
	if err != nil {
		return nil, err
	}
	b.Undo.BelowSeq, b.Undo.BelowRec = st.Seq, st.Rec
	return rec, t.PutBatch(b)
}

// Discarded records that the files of b.Discard are removed.
func (t *Tx) Discarded(id uint64) error {
	b, err := t.Batch(id)
	if err != nil {
		return err
	}
	b.Discard = nil
	return t.PutBatch(b)
}

// BackupNames returns the backup files the undo steps of batch id name.
func (t *Tx) BackupNames(id uint64) ([]string, error) {
	var names []string
	prefix := u64(id)
	c := t.checked(bucketUndo).Cursor()
	for k, v := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, v = c.Next() {
		if len(v) == 0 {
			continue
		}
		var ns []string
		if err := json.Unmarshal(v, &ns); err != nil {
			return nil, fmt.Errorf("undo step of batch %d: %w: %v", id, ErrCorrupt, err)
		}
		names = append(names, ns...)
	}
	return names, nil
}

// SetBackups records the state of batch id's backups; once pruned, its
// undo steps are forgotten (the audit records stay).
func (t *Tx) SetBackups(id uint64, s BackupsState) error {
	b, err := t.Batch(id)
	if err != nil {
		return err
	}
	if b.Backups == BackupsPruned {
		return nil
	}
	b.Backups = s
	if s == BackupsPruned {
		if err := t.uncount(b); err != nil {
			return err
		}
		var keys [][]byte
		c := t.checked(bucketUndo).Cursor()
		prefix := u64(id)
		for k, _ := c.Seek(prefix); k != nil && bytes.HasPrefix(k, prefix); k, _ = c.Next() {
			keys = append(keys, append([]byte(nil), k...))
		}
		for _, k := range keys {
			if err := t.tx.Bucket(bucketUndo).Delete(k); err != nil {
				return err
			}
		}
	}
	return t.PutBatch(b)
}

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
