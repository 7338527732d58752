package journal

import (
	"encoding/binary"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// DecodeRecord decodes one stored history value.
func DecodeRecord(v []byte) (*Record, error) {
	var r Record
	if err := json.Unmarshal(v, &r); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrCorrupt, err)
	}
	return &r, nil
}

// History calls fn for each audit record, oldest first, or newest first
// when newestFirst is set, one at a time (a million records never sit in
// memory). fn returns false to stop.
func (t *Tx) History(newestFirst bool, fn func(*Record) (bool, error)) error {
	c := t.tx.Bucket(bucketHistory).Cursor()
	first, next := c.First, c.Next
	if newestFirst {
		first, next = c.Last, c.Prev
	}
	for k, v := first(); k != nil; k, v = next() {
		r, err := DecodeRecord(v)
		if err != nil {
			return fmt.Errorf("history record %d: %w", binary.BigEndian.Uint64(k), err)
		}
		more, err := fn(r)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// ChainError is one break in the hash chain.
type ChainError struct {
	// Key is the record's key in the history bucket.
	Key uint64
	// Msg says what is wrong.
	Msg string
}

func (e *ChainError) Error() string { return fmt.Sprintf("history record %d: %s", e.Key, e.Msg) }

// VerifyChain walks the history oldest first and reports every record
// whose stored hash is not its content's, whose Prev is not the previous
// record's hash, or whose key is out of order, and a head that is not the
// newest record's hash.
func (t *Tx) VerifyChain() []error {
	var errs []error
	var prev string
	var prevKey uint64
	c := t.tx.Bucket(bucketHistory).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		key := binary.BigEndian.Uint64(k)
		r, err := DecodeRecord(v)
		if err != nil {
			errs = append(errs, &ChainError{Key: key, Msg: err.Error()})
			continue
		}
		if r.ID != key {
			errs = append(errs, &ChainError{Key: key, Msg: fmt.Sprintf("holds record %d (moved or reordered)", r.ID)})
		}
		if prevKey != 0 && key != prevKey+1 {
			errs = append(errs, &ChainError{Key: key, Msg: fmt.Sprintf("records %d to %d are missing", prevKey+1, key-1)})
		}
		if h, err := r.computeHash(); err != nil || h != r.Hash {
			errs = append(errs, &ChainError{Key: key, Msg: "content does not match its hash (edited)"})
		}
		if r.Prev != prev {
			errs = append(errs, &ChainError{Key: key, Msg: "does not follow the previous record (deleted, inserted or reordered)"})
		}
		prev, prevKey = r.Hash, key
	}
	if head := string(t.meta().Get(keyHead)); head != prev {
		errs = append(errs, &ChainError{Key: prevKey, Msg: "chain head in meta is not the newest record (records removed at the end)"})
	}
	return errs
}

// HistoryBucket exposes the raw history bucket for tools and tests that
// must read or tamper with stored bytes.
func (t *Tx) HistoryBucket() *bolt.Bucket { return t.tx.Bucket(bucketHistory) }
