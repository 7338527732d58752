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
	c := t.checked(bucketHistory).Cursor()
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

// HistoryRaw calls fn with each audit record's key and stored bytes (its
// canonical form, see the package documentation), oldest first or newest
// first, one at a time and without decoding them. The bytes are valid only
// until fn returns. fn returns false to stop.
func (t *Tx) HistoryRaw(newestFirst bool, fn func(key uint64, stored []byte) (bool, error)) error {
	c := t.checked(bucketHistory).Cursor()
	first, next := c.First, c.Next
	if newestFirst {
		first, next = c.Last, c.Prev
	}
	for k, v := first(); k != nil; k, v = next() {
		more, err := fn(binary.BigEndian.Uint64(k), v)
		if err != nil || !more {
			return err
		}
	}
	return nil
}

// HistoryBucket exposes the raw history bucket for tools and tests that
// must read or tamper with stored bytes.
func (t *Tx) HistoryBucket() *bolt.Bucket { return t.tx.Bucket(bucketHistory) }
