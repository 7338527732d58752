package journal

import (
	"maps"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"smswork/ops"
)

func outcomeCounts(t *testing.T, j *Journal) map[ops.Outcome]uint64 {
	t.Helper()
	var got map[ops.Outcome]uint64
	if err := j.View(func(tx *Tx) (err error) {
		got, err = tx.OutcomeCounts()
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return got
}

// commitOutcomes ingests one entry per outcome and commits (or holds) it.
func commitOutcomes(t *testing.T, j *Journal, outcomes ...ops.Outcome) {
	t.Helper()
	for _, o := range outcomes {
		ingest(t, j, "x")
		err := j.Update(func(tx *Tx) error {
			e, err := tx.Get(tx.NextSeq() - 1)
			if err != nil {
				return err
			}
			if o == ops.Held {
				_, err = tx.Hold(e, "interrupted", day0)
				return err
			}
			_, err = tx.Commit(e, ops.Result{Outcome: o}, o == ops.Failed, day0)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestTx_OutcomeCounts(t *testing.T) {
	j := mustOpenJournal(t)
	if got := outcomeCounts(t, j); len(got) != 0 {
		t.Fatalf("a new journal counts %v", got)
	}
	commitOutcomes(t, j, ops.Done, ops.Failed, ops.Done, ops.Held, ops.AlreadyDone)
	want := map[ops.Outcome]uint64{ops.Done: 2, ops.Failed: 1, ops.Held: 1, ops.AlreadyDone: 1}
	if got := outcomeCounts(t, j); !maps.Equal(got, want) {
		t.Fatalf("counts %v, want %v", got, want)
	}
	// A prune removes records and writes a checkpoint: no count drops,
	// and the checkpoint is not an operation.
	if _, err := j.Prune(day0.AddDate(1, 0, 0), time.Now(), PruneOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := outcomeCounts(t, j); !maps.Equal(got, want) {
		t.Fatalf("counts after a prune %v, want %v", got, want)
	}
	commitOutcomes(t, j, ops.Done)
	want[ops.Done]++
	if got := outcomeCounts(t, j); !maps.Equal(got, want) {
		t.Fatalf("counts after a prune and a commit %v, want %v", got, want)
	}
}

// TestJournal_CountsOfAnOlderJournal: a journal made before the counts
// existed is counted from its history, read-only, and its first writer
// stores the counts.
func TestJournal_CountsOfAnOlderJournal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	commitOutcomes(t, j, ops.Done, ops.Done, ops.Skipped)
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := bolt.Open(path, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketCounts) }); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	want := map[ops.Outcome]uint64{ops.Done: 2, ops.Skipped: 1}
	for _, readOnly := range []bool{true, false, true} {
		j, err := Open(path, Options{ReadOnly: readOnly})
		if err != nil {
			t.Fatal(err)
		}
		got := outcomeCounts(t, j)
		stored := false
		_ = j.db.View(func(tx *bolt.Tx) error { stored = tx.Bucket(bucketCounts) != nil; return nil })
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
		if !maps.Equal(got, want) {
			t.Fatalf("read-only %v: counts %v, want %v", readOnly, got, want)
		}
		if !readOnly && !stored {
			t.Fatal("the first writer did not store the counts")
		}
	}
}
