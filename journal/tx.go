package journal

import (
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	bolt "go.etcd.io/bbolt"

	"smswork/ops"
)

// Tx is one journal transaction; see Journal.Update and Journal.View.
type Tx struct {
	tx *bolt.Tx
	j  *Journal
}

func u64(n uint64) []byte {
	b := make([]byte, 8)
	binary.BigEndian.PutUint64(b, n)
	return b
}

func u64key(k []byte) uint64 { return binary.BigEndian.Uint64(k) }

func getU64(b *bolt.Bucket, k []byte) uint64 {
	v := b.Get(k)
	if len(v) != 8 {
		return 0
	}
	return binary.BigEndian.Uint64(v)
}

func (t *Tx) meta() *bolt.Bucket { return t.tx.Bucket(bucketMeta) }

// NextSeq returns the sequence number the next ingested entry will get.
func (t *Tx) NextSeq() uint64 { return getU64(t.meta(), keyNextSeq) }

// Mirror returns what SMS.INI is recorded to list.
func (t *Tx) Mirror() (MirrorState, error) {
	var m MirrorState
	v := t.meta().Get(keyMirror)
	if v == nil {
		return MirrorState{Start: 1}, nil
	}
	if err := json.Unmarshal(v, &m); err != nil {
		return m, fmt.Errorf("mirror state: %w: %v", ErrCorrupt, err)
	}
	return m, nil
}

// SetMirrorPending records that a rewrite of SMS.INI listing the operations
// from start on is about to rename the durable temporary file temp over it.
func (t *Tx) SetMirrorPending(start uint64, temp string) error {
	return t.SetMirrorPendingAdd(start, temp, 0)
}

// SetMirrorPendingAdd is SetMirrorPending for a rewrite that also appends
// the operations from added on (smswork add --atomic, which ingests them
// in the same transaction): until the rename lands, SMS.INI lists only
// those before added.
func (t *Tx) SetMirrorPendingAdd(start uint64, temp string, added uint64) error {
	m, err := t.Mirror()
	if err != nil {
		return err
	}
	m.Pending = &PendingMirror{Start: start, Temp: temp, Added: added}
	return t.putJSON(t.meta(), keyMirror, m)
}

// ConfirmMirror records that SMS.INI lists the operations from start on,
// clears any pending rewrite, and forgets committed operations before
// start, which SMS.INI no longer lists.
func (t *Tx) ConfirmMirror(start uint64) error {
	if err := t.putJSON(t.meta(), keyMirror, MirrorState{Start: start}); err != nil {
		return err
	}
	q := t.tx.Bucket(bucketQueue)
	// Keys are collected first and deleted after: a bbolt cursor that
	// deletes as it walks skips keys where pages rebalance, which left
	// committed operations behind for every later run to walk over.
	var done [][]byte
	c := q.Cursor()
	for k, v := c.First(); k != nil && binary.BigEndian.Uint64(k) < start; k, v = c.Next() {
		var e Entry
		if err := decodeEntry(v, &e); err != nil {
			return fmt.Errorf("queue entry %d: %w: %v", binary.BigEndian.Uint64(k), ErrCorrupt, err)
		}
		if e.State != Committed {
			return fmt.Errorf("operation %d leaves SMS.INI uncommitted: %w", e.Seq, ErrState)
		}
		done = append(done, append([]byte(nil), k...))
	}
	for _, k := range done {
		if err := q.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// NewEntry is an entry to ingest: its raw text and the operation it parsed to.
type NewEntry struct {
	Raw string
	Op  ops.Op
}

// Ingest records entries as a new batch of queued operations, numbered on
// from NextSeq, and returns the batch.
func (t *Tx) Ingest(ini string, now time.Time, entries []NewEntry) (Batch, error) {
	return t.IngestBatch(ini, now, entries, false, "")
}

// IngestBatch is Ingest with the batch made atomic (see Batch.Atomic) when
// atomic is set, with c its author's choice after a rollback.
func (t *Tx) IngestBatch(ini string, now time.Time, entries []NewEntry, atomic bool, c RollbackChoice) (Batch, error) {
	meta := t.meta()
	b := Batch{ID: getU64(meta, keyNextBatch), Time: now.UTC(), Host: t.j.opts.Host, Ini: ini,
		FirstSeq: getU64(meta, keyNextSeq), Entries: len(entries), Atomic: atomic}
	if atomic {
		b.OnRollback = c
	}
	if len(entries) == 0 {
		return b, nil
	}
	if err := t.putJSON(t.tx.Bucket(bucketBatches), u64(b.ID), b); err != nil {
		return b, err
	}
	q := t.tx.Bucket(bucketQueue)
	for i, ne := range entries {
		e := Entry{Seq: b.FirstSeq + uint64(i), Batch: b.ID, Pos: i + 1, Raw: ne.Raw, Op: ne.Op, State: Queued}
		if err := t.putJSON(q, u64(e.Seq), e); err != nil {
			return b, err
		}
	}
	if err := meta.Put(keyNextBatch, u64(b.ID+1)); err != nil {
		return b, err
	}
	return b, meta.Put(keyNextSeq, u64(b.FirstSeq+uint64(len(entries))))
}

// Queue calls fn for each operation in the queue bucket, in order.
func (t *Tx) Queue(fn func(*Entry) error) error { return t.QueueFrom(0, fn) }

// QueueFrom calls fn for each operation in the queue bucket from seq on,
// in order; fn returns ErrStop to end the walk early without error.
func (t *Tx) QueueFrom(seq uint64, fn func(*Entry) error) error {
	c := t.tx.Bucket(bucketQueue).Cursor()
	for k, v := c.Seek(u64(seq)); k != nil; k, v = c.Next() {
		var e Entry
		if err := decodeEntry(v, &e); err != nil {
			return fmt.Errorf("queue entry %d: %w: %v", binary.BigEndian.Uint64(k), ErrCorrupt, err)
		}
		if err := fn(&e); err != nil {
			if errors.Is(err, ErrStop) {
				return nil
			}
			return err
		}
	}
	return nil
}

// Get returns the queued operation seq.
func (t *Tx) Get(seq uint64) (*Entry, error) {
	v := t.tx.Bucket(bucketQueue).Get(u64(seq))
	if v == nil {
		return nil, fmt.Errorf("operation %d: %w", seq, ErrNotFound)
	}
	var e Entry
	if err := decodeEntry(v, &e); err != nil {
		return nil, fmt.Errorf("queue entry %d: %w: %v", seq, ErrCorrupt, err)
	}
	return &e, nil
}

// Put stores e in the queue bucket.
func (t *Tx) Put(e *Entry) error { return t.putJSON(t.tx.Bucket(bucketQueue), u64(e.Seq), e) }

// SetIntent writes the intent marker of e: State Intent, Attempts+1.
func (t *Tx) SetIntent(e *Entry, in *ops.Intent, now time.Time) error {
	e.State = Intent
	e.Intent = in
	e.IntentAt = now.UTC()
	e.Attempts++
	if in != nil {
		if err := t.countBackups(e, in); err != nil {
			return err
		}
	}
	return t.Put(e)
}

// UpdateIntent records the progress of an operation inside its intent (a
// cross-device move whose copy is durable, a hand-off to Session Manager
// staged or registered), without counting an attempt.
func (t *Tx) UpdateIntent(e *Entry, in *ops.Intent) error {
	if e.State != Intent && e.State != Reboot {
		return fmt.Errorf("operation %d is %s: %w", e.Seq, e.State, ErrState)
	}
	e.Intent = in
	return t.Put(e)
}

// Hold marks e held for a person's decision and records that in the audit
// trail (outcome held, still queued).
func (t *Tx) Hold(e *Entry, reason string, now time.Time) (*Record, error) {
	rec, err := t.appendRecord(e, ops.Result{Outcome: ops.Held, Err: reason, Start: now, End: now}, true, now)
	if err != nil {
		return nil, err
	}
	e.State = Held
	e.HeldReason = reason
	e.Decision = ""
	return rec, t.Put(e)
}

// AwaitReboot marks e waiting for the next boot (State Reboot), its
// intent (with its Handoff) kept, and records that in the audit trail
// (outcome reboot-pending, still queued) unless e already waited: a run
// that finds it still waiting writes no second record.
func (t *Tx) AwaitReboot(e *Entry, r ops.Result, now time.Time) (*Record, error) {
	if e.State != Intent && e.State != Reboot {
		return nil, fmt.Errorf("operation %d is %s: %w", e.Seq, e.State, ErrState)
	}
	var rec *Record
	if e.State != Reboot {
		r.Outcome = ops.RebootPending
		var err error
		if rec, err = t.appendRecord(e, r, true, now); err != nil {
			return nil, err
		}
	}
	e.State = Reboot
	e.Failure, e.FailedAt = "", time.Time{}
	return rec, t.Put(e)
}

// Resolve records a person's decision (by whom, when) for operation seq:
// one held, or one whose last attempt failed (Entry.Failure). The next
// run acts on it, and the operation's next audit record carries it.
func (t *Tx) Resolve(seq uint64, d Decision, by string, now time.Time) (*Entry, error) {
	e, err := t.Get(seq)
	if err != nil {
		return nil, err
	}
	switch {
	case e.State == Held:
	case e.State == Queued && e.Failure != "":
	case e.State == Queued:
		return nil, fmt.Errorf("operation %d is queued and has not failed: the next run runs it: %w", seq, ErrState)
	case e.State == Intent:
		return nil, fmt.Errorf("operation %d was interrupted: the next run finishes it (or holds it for a decision): %w", seq, ErrState)
	default:
		return nil, fmt.Errorf("operation %d is %s: %w", seq, e.State, ErrState)
	}
	e.Decision, e.DecidedBy, e.DecidedAt = d, by, now.UTC()
	return e, t.Put(e)
}

// Commit writes the commit marker of e with result r and appends its audit
// record to the hash chain. When stay is true (a failure that stops the
// queue), e goes back to Queued and stays in SMS.INI, to be tried again.
func (t *Tx) Commit(e *Entry, r ops.Result, stay bool, now time.Time) (*Record, error) {
	rec, err := t.appendRecord(e, r, stay, now)
	if err != nil {
		return nil, err
	}
	if stay {
		e.State, e.Intent = Queued, nil
	} else {
		e.State = Committed
	}
	e.Failure, e.FailedAt = "", time.Time{}
	if stay && r.Outcome == ops.Failed {
		e.Failure, e.FailedAt = r.Err, now.UTC()
	}
	e.Decision, e.DecidedBy, e.DecidedAt, e.HeldReason = "", "", time.Time{}, ""
	if err := t.afterCommit(e, stay); err != nil {
		return nil, err
	}
	return rec, t.Put(e)
}

// appendRecord appends e's audit record with result r to the hash chain.
func (t *Tx) appendRecord(e *Entry, r ops.Result, stay bool, now time.Time) (*Record, error) {
	return t.appendRecordWith(e, r, stay, now, nil)
}

// appendRecordWith is appendRecord with a last change to the record
// before it is hashed, when set.
func (t *Tx) appendRecordWith(e *Entry, r ops.Result, stay bool, now time.Time, set func(*Record)) (*Record, error) {
	meta := t.meta()
	rec := &Record{ID: getU64(meta, keyNextRec), Seq: e.Seq, Batch: e.Batch, Pos: e.Pos, Raw: e.Raw, Op: e.Op,
		Outcome: r.Outcome, Result: r, Attempts: e.Attempts, Interrupted: e.Interrupted,
		Decision: e.Decision, DecidedBy: e.DecidedBy, DecidedAt: e.DecidedAt, StillQueued: stay, Committed: now.UTC(),
		Host: t.j.opts.Host, Version: t.j.opts.Version, Intent: e.Intent, Prev: string(meta.Get(keyHead))}
	if set != nil {
		set(rec)
	}
	if err := t.putRecord(rec); err != nil {
		return nil, err
	}
	if err := t.countOutcome(rec.Outcome); err != nil {
		return nil, err
	}
	if err := t.indexUndo(rec); err != nil {
		return nil, err
	}
	if err := meta.Put(keyHead, []byte(rec.Hash)); err != nil {
		return nil, err
	}
	if err := meta.Put(keyNextRec, u64(rec.ID+1)); err != nil {
		return nil, err
	}
	return rec, nil
}

// putRecord sets rec.Hash from rec.Prev and rec's canonical encoding and
// stores the encoding under rec.ID.
func (t *Tx) putRecord(rec *Record) error {
	data, err := encodeRecord(rec)
	if err != nil {
		return err
	}
	b := t.tx.Bucket(bucketHistory)
	// Records are appended in key order: full pages, not half-empty ones
	// (bbolt's default of 0.5 suits random inserts).
	b.FillPercent = 0.95
	return b.Put(u64(rec.ID), data)
}

// putJSON stores v's JSON under k. A value with a MarshalJSON of its own
// (an Entry) is encoded by it directly: json.Marshal would only scan its
// compact, valid output once more.
func (t *Tx) putJSON(b *bolt.Bucket, k []byte, v any) error {
	var data []byte
	var err error
	if m, ok := v.(json.Marshaler); ok {
		data, err = m.MarshalJSON()
	} else {
		data, err = json.Marshal(v)
	}
	if err != nil {
		return fmt.Errorf("encode %s: %w", k, err)
	}
	return b.Put(k, data)
}
