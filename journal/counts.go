package journal

import (
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"smswork/ops"
)

// bucketCounts holds, per outcome, how many audit records the journal has
// written: the counters of `smswork_operations_total` (--metrics-file).
// They only grow: a prune removes records, never counts.
var bucketCounts = []byte("counts")

// countOutcome adds rec's outcome to the counts, in the transaction that
// writes rec, so the counts never disagree with the history. Checkpoints
// stand for removed records and are not operations: they are not counted.
func (t *Tx) countOutcome(o ops.Outcome) error {
	if o == ops.Checkpoint {
		return nil
	}
	b := t.tx.Bucket(bucketCounts)
	if b == nil {
		return fmt.Errorf("journal %s has no counts bucket: %w", t.j.path, ErrCorrupt)
	}
	k := []byte(o)
	return b.Put(k, u64(getU64(b, k)+1))
}

// OutcomeCounts returns how many audit records of each outcome (done,
// failed, held, ...; checkpoints aside) the journal has written since it
// was created. A prune does not lower them. In a journal made before the
// counts existed they start from the records its first writer found
// (records pruned before then are not counted); until such a journal has
// had a writer, they are counted from the history on each call.
func (t *Tx) OutcomeCounts() (map[ops.Outcome]uint64, error) {
	b := t.tx.Bucket(bucketCounts)
	if b == nil {
		return countHistory(t.tx.Bucket(bucketHistory))
	}
	counts := map[ops.Outcome]uint64{}
	err := b.ForEach(func(k, v []byte) error {
		if len(v) != 8 {
			return fmt.Errorf("count of %q: %w", k, ErrCorrupt)
		}
		counts[ops.Outcome(k)] = u64key(v)
		return nil
	})
	return counts, err
}

// ensureCounts creates the counts bucket of a journal made before it
// existed, counting the history records it holds.
func ensureCounts(tx *bolt.Tx) error {
	if tx.Bucket(bucketCounts) != nil {
		return nil
	}
	counts, err := countHistory(tx.Bucket(bucketHistory))
	if err != nil {
		return err
	}
	b, err := tx.CreateBucket(bucketCounts)
	if err != nil {
		return err
	}
	for o, n := range counts {
		if err := b.Put([]byte(o), u64(n)); err != nil {
			return err
		}
	}
	return nil
}

// countHistory counts the records of history by outcome, checkpoints
// aside, decoding only each record's outcome.
func countHistory(history *bolt.Bucket) (map[ops.Outcome]uint64, error) {
	counts := map[ops.Outcome]uint64{}
	if history == nil {
		return counts, nil
	}
	var rec struct {
		Outcome ops.Outcome `json:"outcome"`
	}
	err := history.ForEach(func(k, v []byte) error {
		rec.Outcome = ""
		if err := json.Unmarshal(v, &rec); err != nil {
			return fmt.Errorf("history record %d: %w: %v", u64key(k), ErrCorrupt, err)
		}
		if rec.Outcome != ops.Checkpoint {
			counts[rec.Outcome]++
		}
		return nil
	})
	return counts, err
}
