package journal

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"

	"smswork/ops"
)

// hashTail is how every stored record ends: its hash member, last, then
// 64 lower-case hex digits, a quote and the closing brace.
const hashTail = `,"hash":"`

// hashLen is the length of a hex SHA-256.
const hashLen = 2 * sha256.Size

// encodeRecord returns the stored form of rec and sets rec.Hash: the
// canonical encoding (compact JSON of rec with Hash empty, which ends with
// `,"hash":""}`) is hashed after Prev and a newline, and the hash is then
// written into the empty hash member. See the package documentation.
func encodeRecord(rec *Record) ([]byte, error) {
	c := *rec
	c.Hash = ""
	canon, err := c.MarshalJSON() // what json.Marshal writes, without its scan of it
	if err != nil {
		return nil, fmt.Errorf("encode record %d: %w", rec.ID, err)
	}
	if !bytes.HasSuffix(canon, []byte(hashTail+`"}`)) {
		return nil, fmt.Errorf("encode record %d: hash is not its last member", rec.ID)
	}
	rec.Hash = chainHash(rec.Prev, canon)
	out := make([]byte, 0, len(canon)+hashLen)
	out = append(out, canon[:len(canon)-2]...)
	out = append(out, rec.Hash...)
	return append(out, `"}`...), nil
}

// chainHash is hex(SHA-256(prev || "\n" || canon)).
func chainHash(prev string, canon []byte) string {
	s := sha256.New()
	s.Write([]byte(prev))
	s.Write([]byte{'\n'})
	s.Write(canon)
	return hex.EncodeToString(s.Sum(nil))
}

// storedHash checks that stored, a record as stored, ends with its hash
// member, and returns that hash and the one its content has: the two
// differ when any byte of the record was changed.
func storedHash(stored []byte, prev string) (claimed, actual string, ok bool) {
	n := len(hashTail) + hashLen + 2
	if len(stored) < n || !bytes.HasSuffix(stored, []byte(`"}`)) ||
		!bytes.Equal(stored[len(stored)-n:len(stored)-n+len(hashTail)], []byte(hashTail)) {
		return "", "", false
	}
	claimed = string(stored[len(stored)-hashLen-2 : len(stored)-2])
	canon := make([]byte, 0, len(stored)-hashLen)
	canon = append(canon, stored[:len(stored)-hashLen-2]...)
	canon = append(canon, `"}`...)
	return claimed, chainHash(prev, canon), true
}

// ChainError is one break in the hash chain.
type ChainError struct {
	// Key is the record's key in the history bucket.
	Key uint64
	// Msg says what is wrong.
	Msg string
}

func (e *ChainError) Error() string { return fmt.Sprintf("history record %d: %s", e.Key, e.Msg) }

// VerifyChain walks the history oldest first, one record at a time, and
// reports every record whose stored bytes do not match its hash (edited),
// whose Prev is not the previous record's hash (deleted, inserted or
// reordered), whose key is not its ID or leaves a gap, a chain that starts
// neither at record 1 nor at a checkpoint (records removed at the start),
// a checkpoint anywhere but first, and a head in meta that is not the
// newest record's hash (records removed at the end).
//
// A marker of lost records (outcome lost, see Salvage) stands for the
// records a salvage could not read: it is stored under the last of them,
// follows the record before them, and the record after them follows the
// hash it names (Salvage.Next; its own hash when it names none).
//
// A checkpoint (see Journal.Prune) stands for the records it replaced: it
// must be stored under its Checkpoint.Through, and the record after it
// must follow its Prev, the hash of the last record it replaced; everything
// from the checkpoint on is checked as usual.
func (t *Tx) VerifyChain() []error {
	var errs []error
	add := func(key uint64, format string, a ...any) {
		errs = append(errs, &ChainError{Key: key, Msg: fmt.Sprintf(format, a...)})
	}
	var prev string
	var prevKey uint64
	linked := true // prev is known: the next record must follow it
	c := t.checked(bucketHistory).Cursor()
	for k, v := c.First(); k != nil; k, v = c.Next() {
		key := binary.BigEndian.Uint64(k)
		first := prevKey == 0
		r, err := DecodeRecord(v)
		// A salvage's marker stands for the records lost before it.
		covers := err == nil && r.Outcome == ops.Lost && r.Salvage != nil &&
			r.Salvage.From == prevKey+1 && r.Salvage.Through == key
		switch {
		case first || key == prevKey+1 || covers:
		case key == prevKey+2:
			add(key, "record %d before it is missing (deleted)", prevKey+1)
		default:
			add(key, "records %d to %d before it are missing (deleted)", prevKey+1, key-1)
		}
		prevKey = key
		if err != nil {
			add(key, "%v", err)
			linked = false
			continue
		}
		if r.ID != key {
			add(key, "holds record %d (moved or reordered)", r.ID)
		}
		if claimed, actual, ok := storedHash(v, r.Prev); !ok || claimed != actual {
			add(key, "content does not match its hash (edited)")
		}
		switch {
		case r.IsCheckpoint():
			if !first {
				add(key, "a checkpoint in the middle of the chain (inserted)")
			}
			if r.Checkpoint == nil || r.Checkpoint.Through != key {
				add(key, "checkpoint is not stored under the last record it stands for")
			}
			// The next record follows the last record pruned.
			prev, linked = r.Prev, true
			continue
		case r.Outcome == ops.Lost:
			if !covers {
				add(key, "a marker of lost records that does not stand for the records before it")
			}
			if linked && r.Prev != prev {
				add(key, "does not follow the previous record (deleted, inserted or reordered)")
			}
			// The next record follows the last record lost, as it says.
			prev, linked = r.chainNext(), true
			continue
		case first && key != 1:
			add(key, "the chain starts here, without record 1 or a checkpoint (records 1 to %d removed)", key-1)
		case first && r.Prev != "":
			add(key, "the first record follows a record that does not exist (inserted before it)")
		case linked && !first && r.Prev != prev:
			add(key, "does not follow the previous record (deleted, inserted or reordered)")
		}
		prev, linked = r.Hash, true
	}
	if head := string(t.meta().Get(keyHead)); linked && head != prev {
		add(prevKey, "chain head in meta is not the newest record (records removed at the end)")
	}
	return errs
}
