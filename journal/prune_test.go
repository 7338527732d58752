package journal

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"smswork/ops"
)

var day0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// commitDays commits one operation per day from day0 on, n of them, with
// result res (its Files, say).
func commitDays(t *testing.T, j *Journal, from, n int, res func(i int) ops.Result) {
	t.Helper()
	for i := from; i < from+n; i++ {
		ingest(t, j, "x")
		now := day0.AddDate(0, 0, i)
		err := j.Update(func(tx *Tx) error {
			e, err := tx.Get(tx.NextSeq() - 1)
			if err != nil {
				return err
			}
			r := ops.Result{Outcome: ops.Done}
			if res != nil {
				r = res(i)
			}
			_, err = tx.Commit(e, r, false, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func ids(t *testing.T, j *Journal) []uint64 {
	t.Helper()
	var out []uint64
	if err := j.View(func(tx *Tx) error {
		return tx.History(false, func(r *Record) (bool, error) { out = append(out, r.ID); return true, nil })
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func chainErrs(t *testing.T, j *Journal) []error {
	t.Helper()
	var errs []error
	_ = j.View(func(tx *Tx) error { errs = tx.VerifyChain(); return nil })
	return errs
}

// TestRecord_CanonicalEncoding pins the encoding journal/doc.go documents:
// the stored value with its hash emptied, hashed after Prev and "\n".
func TestRecord_CanonicalEncoding(t *testing.T) {
	j := mustOpenJournal(t)
	commitDays(t, j, 0, 2, nil)
	_ = j.View(func(tx *Tx) error {
		prev := ""
		return tx.HistoryRaw(false, func(key uint64, v []byte) (bool, error) {
			r, err := DecodeRecord(v)
			if err != nil {
				t.Fatal(err)
			}
			canon := bytes.Replace(v, []byte(`"hash":"`+r.Hash+`"}`), []byte(`"hash":""}`), 1)
			sum := sha256.Sum256(append([]byte(prev+"\n"), canon...))
			if hex.EncodeToString(sum[:]) != r.Hash || r.Prev != prev || !bytes.HasSuffix(v, []byte(`"hash":"`+r.Hash+`"}`)) {
				t.Errorf("record %d: stored %s does not follow the documented encoding", key, v)
			}
			prev = r.Hash
			return true, nil
		})
	})
}

func TestJournal_Prune(t *testing.T) {
	j := mustOpenJournal(t)
	commitDays(t, j, 0, 10, nil)
	res, err := j.Prune(day0.AddDate(0, 0, 4), time.Now(), PruneOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Pruned != 4 || res.Through != 4 {
		t.Fatalf("pruned %+v, want 4 through 4", res)
	}
	if got := ids(t, j); len(got) != 7 || got[0] != 4 || got[1] != 5 {
		t.Fatalf("records after prune %v, want the checkpoint 4 then 5..10", got)
	}
	if errs := chainErrs(t, j); len(errs) > 0 {
		t.Fatalf("chain after prune: %v", errs)
	}
	// The chain goes on, and a second prune replaces the checkpoint.
	commitDays(t, j, 10, 2, nil)
	res, err = j.Prune(day0.AddDate(0, 0, 7), time.Now(), PruneOptions{Step: 2})
	if err != nil {
		t.Fatal(err)
	}
	if res.Pruned != 3 || res.Through != 7 {
		t.Fatalf("second prune %+v, want 3 through 7", res)
	}
	_ = j.View(func(tx *Tx) error {
		return tx.History(false, func(r *Record) (bool, error) {
			if !r.IsCheckpoint() || r.Checkpoint.Through != 7 || r.Checkpoint.Pruned != 3 {
				t.Errorf("first record after second prune: %+v", r)
			}
			return false, nil
		})
	})
	if got := ids(t, j); len(got) != 6 || got[0] != 7 || got[5] != 12 {
		t.Fatalf("records after second prune %v", got)
	}
	// Nothing before the cut-off: nothing changes.
	res, err = j.Prune(day0, time.Now(), PruneOptions{})
	if err != nil || res.Pruned != 0 {
		t.Fatalf("empty prune: %+v %v", res, err)
	}
	// Everything: the checkpoint alone, and the head still follows.
	if _, err := j.Prune(day0.AddDate(1, 0, 0), time.Now(), PruneOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := ids(t, j); len(got) != 1 || got[0] != 12 {
		t.Fatalf("records after pruning all: %v", got)
	}
	commitDays(t, j, 20, 1, nil)
}

func TestJournal_PruneShrinksFile(t *testing.T) {
	j := mustOpenJournal(t)
	big := func(int) ops.Result {
		return ops.Result{Outcome: ops.Done, Stdout: string(bytes.Repeat([]byte("o"), 8000))}
	}
	commitDays(t, j, 0, 300, big)
	res, err := j.Prune(day0.AddDate(0, 0, 290), time.Now(), PruneOptions{Step: 100})
	if err != nil {
		t.Fatal(err)
	}
	if res.SizeAfter*3 > res.SizeBefore {
		t.Fatalf("journal %d -> %d bytes: not compacted", res.SizeBefore, res.SizeAfter)
	}
	if _, err := os.Stat(compactPath(j.Path())); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("compacted copy left: %v", err)
	}
	// The reopened journal is the compacted one, and writable.
	commitDays(t, j, 300, 1, nil)
}

func TestJournal_PruneRefusesBrokenChain(t *testing.T) {
	j := mustOpenJournal(t)
	commitDays(t, j, 0, 3, nil)
	tamperHistory(t, j, func(b *bolt.Bucket) error { return b.Delete(u64(2)) })
	if _, err := j.Prune(day0.AddDate(0, 0, 2), time.Now(), PruneOptions{}); !errors.Is(err, ErrChain) {
		t.Fatalf("prune of a broken chain: %v", err)
	}
	// Put the chain back for the clean-up check.
	tamperHistory(t, j, func(b *bolt.Bucket) error {
		c := b.Cursor()
		for k, _ := c.First(); k != nil; k, _ = c.First() {
			if err := b.Delete(k); err != nil {
				return err
			}
		}
		return b.Tx().Bucket(bucketMeta).Put(keyHead, nil)
	})
}

func tamperHistory(t *testing.T, j *Journal, fn func(*bolt.Bucket) error) {
	t.Helper()
	if err := j.db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket(bucketHistory)) }); err != nil {
		t.Fatal(err)
	}
}

func TestTx_VerifyChainAfterCheckpoint(t *testing.T) {
	tamper := map[string]func(b *bolt.Bucket) error{
		"edit checkpoint": func(b *bolt.Bucket) error {
			r, _ := DecodeRecord(b.Get(u64(3)))
			r.Checkpoint.Pruned = 1
			data, _ := jsonMarshal(r)
			return b.Put(u64(3), data)
		},
		"delete checkpoint": func(b *bolt.Bucket) error { return b.Delete(u64(3)) },
		"edit after": func(b *bolt.Bucket) error {
			v := bytes.Replace(b.Get(u64(5)), []byte(`"raw":"x"`), []byte(`"raw":"y"`), 1)
			return b.Put(u64(5), v)
		},
		"delete after": func(b *bolt.Bucket) error { return b.Delete(u64(4)) },
		"reorder after": func(b *bolt.Bucket) error {
			v4 := append([]byte(nil), b.Get(u64(4))...)
			v5 := append([]byte(nil), b.Get(u64(5))...)
			_ = b.Put(u64(4), v5)
			return b.Put(u64(5), v4)
		},
		"insert checkpoint later": func(b *bolt.Bucket) error {
			return b.Put(u64(5), append([]byte(nil), b.Get(u64(3))...))
		},
	}
	for name, fn := range tamper {
		t.Run(name, func(t *testing.T) {
			j, err := Open(filepath.Join(t.TempDir(), "j.db"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close()
			commitDays(t, j, 0, 6, nil)
			if _, err := j.Prune(day0.AddDate(0, 0, 3), time.Now(), PruneOptions{}); err != nil {
				t.Fatal(err)
			}
			if errs := chainErrs(t, j); len(errs) != 0 {
				t.Fatalf("clean chain: %v", errs)
			}
			tamperHistory(t, j, fn)
			errs := chainErrs(t, j)
			var ce *ChainError
			if len(errs) == 0 || !errors.As(errs[0], &ce) || ce.Key == 0 {
				t.Fatalf("tampering not detected or not named: %v", errs)
			}
		})
	}
}

func TestOpen_RemovesLeftoverCompact(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	if err := os.WriteFile(compactPath(path), []byte("half a copy"), 0o600); err != nil {
		t.Fatal(err)
	}
	j, err := Open(path, Options{ReadOnly: false})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if _, err := os.Stat(compactPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("leftover compacted copy kept: %v", err)
	}
}

func TestJournal_PruneNeedsWriter(t *testing.T) {
	j := mustOpenJournal(t)
	commitDays(t, j, 0, 2, nil)
	path := j.Path()
	// A second writer is kept out by the writers' lock, even between
	// bbolt's close and reopen around the swap.
	if _, err := Open(path, Options{LockTimeout: 20 * time.Millisecond}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second writer: %v", err)
	}
	r, err := Open(path, Options{ReadOnly: true, LockTimeout: 20 * time.Millisecond})
	if err == nil {
		if _, err := r.Prune(day0.AddDate(0, 0, 1), time.Now(), PruneOptions{}); !errors.Is(err, ErrState) {
			t.Errorf("prune through a read-only journal: %v", err)
		}
		_ = r.Close()
	}
}
