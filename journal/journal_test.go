package journal

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"smswork/ops"
)

// mustOpenJournal opens a new journal under t.TempDir and, at clean-up,
// checks bbolt's consistency and the hash chain.
func mustOpenJournal(t *testing.T) *Journal {
	t.Helper()
	j, err := Open(filepath.Join(t.TempDir(), "j.db"), Options{Host: "test", Version: "v"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if errs := j.Check(); len(errs) > 0 {
			t.Errorf("bbolt check: %v", errs)
		}
		_ = j.View(func(tx *Tx) error {
			if errs := tx.VerifyChain(); len(errs) > 0 {
				t.Errorf("chain: %v", errs)
			}
			return nil
		})
		_ = j.Close()
	})
	return j
}

func ingest(t *testing.T, j *Journal, raws ...string) Batch {
	t.Helper()
	var b Batch
	var es []NewEntry
	for _, r := range raws {
		es = append(es, NewEntry{Raw: r, Op: ops.Op{Kind: ops.KindDel, Src: ops.Path{Drive: "C", Rel: r}}})
	}
	if err := j.Update(func(tx *Tx) (err error) {
		b, err = tx.Ingest("SMS.INI", time.Unix(0, 0), es)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return b
}

func TestJournal_IngestIntentCommit(t *testing.T) {
	j := mustOpenJournal(t)
	b1 := ingest(t, j, "a", "b")
	b2 := ingest(t, j, "c")
	if b1.ID != 1 || b1.FirstSeq != 1 || b2.ID != 2 || b2.FirstSeq != 3 {
		t.Fatalf("batches %+v %+v", b1, b2)
	}
	err := j.Update(func(tx *Tx) error {
		e, err := tx.Get(1)
		if err != nil {
			return err
		}
		if err := tx.SetIntent(e, &ops.Intent{}, time.Now()); err != nil {
			return err
		}
		_, err = tx.Commit(e, ops.Result{Outcome: ops.Done}, false, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	var states []State
	_ = j.View(func(tx *Tx) error {
		return tx.Queue(func(e *Entry) error { states = append(states, e.State); return nil })
	})
	if len(states) != 3 || states[0] != Committed || states[1] != Queued {
		t.Fatalf("states %v", states)
	}
	// The committed entry leaves the queue when SMS.INI stops listing it.
	if err := j.Update(func(tx *Tx) error { return tx.ConfirmMirror(2) }); err != nil {
		t.Fatal(err)
	}
	// Confirming past an uncommitted entry is refused: it would be lost.
	err = j.Update(func(tx *Tx) error { return tx.ConfirmMirror(3) })
	if !errors.Is(err, ErrState) {
		t.Fatalf("confirm past uncommitted: %v", err)
	}
	n := 0
	_ = j.View(func(tx *Tx) error { return tx.Queue(func(*Entry) error { n++; return nil }) })
	if n != 2 {
		t.Fatalf("queue holds %d, want 2", n)
	}
}

func TestJournal_StayOnFailure(t *testing.T) {
	j := mustOpenJournal(t)
	ingest(t, j, "a")
	err := j.Update(func(tx *Tx) error {
		e, _ := tx.Get(1)
		_ = tx.SetIntent(e, &ops.Intent{}, time.Now())
		_, err := tx.Commit(e, ops.Result{Outcome: ops.Failed, Err: "boom"}, true, time.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	_ = j.View(func(tx *Tx) error {
		e, _ := tx.Get(1)
		if e.State != Queued || e.Attempts != 1 {
			t.Errorf("after failure: %+v", e)
		}
		return nil
	})
}

func TestJournal_Resolve(t *testing.T) {
	j := mustOpenJournal(t)
	ingest(t, j, "a")
	err := j.Update(func(tx *Tx) error { _, err := tx.Resolve(1, Skip, "me", time.Now()); return err })
	if !errors.Is(err, ErrState) {
		t.Fatalf("resolve a queued op: %v", err)
	}
	_ = j.Update(func(tx *Tx) error { e, _ := tx.Get(1); _, err := tx.Hold(e, "why", time.Now()); return err })
	if err := j.Update(func(tx *Tx) error { _, err := tx.Resolve(1, Skip, "me", time.Now()); return err }); err != nil {
		t.Fatal(err)
	}
	err = j.Update(func(tx *Tx) error { _, err := tx.Resolve(9, Skip, "me", time.Now()); return err })
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("resolve missing: %v", err)
	}
}

// TestJournal_ResolveFailed: an operation whose last attempt failed keeps
// its failure, can be decided like a held one (who and when go into its
// next record), and forgets both once it commits.
func TestJournal_ResolveFailed(t *testing.T) {
	j := mustOpenJournal(t)
	ingest(t, j, "a")
	failedAt := time.Date(2026, 11, 1, 3, 0, 0, 0, time.UTC)
	decided := failedAt.Add(time.Hour)
	err := j.Update(func(tx *Tx) error {
		e, _ := tx.Get(1)
		_ = tx.SetIntent(e, &ops.Intent{}, failedAt)
		_, err := tx.Commit(e, ops.Result{Outcome: ops.Failed, Err: "boom"}, true, failedAt)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	err = j.Update(func(tx *Tx) error {
		e, err := tx.Resolve(1, Skip, "alice", decided)
		if err != nil {
			return err
		}
		if e.Failure != "boom" || !e.FailedAt.Equal(failedAt) || e.DecidedBy != "alice" || !e.DecidedAt.Equal(decided) {
			t.Errorf("resolved failed entry: %+v", e)
		}
		rec, err := tx.Commit(e, ops.Result{Outcome: ops.Skipped}, false, decided.Add(time.Minute))
		if err != nil {
			return err
		}
		if rec.Decision != Skip || rec.DecidedBy != "alice" || !rec.DecidedAt.Equal(decided) {
			t.Errorf("record of the decided operation: %+v", rec)
		}
		if e.Failure != "" || !e.FailedAt.IsZero() || e.Decision != "" || !e.DecidedAt.IsZero() {
			t.Errorf("committed entry keeps its failure or decision: %+v", e)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestJournal_Locked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	start := time.Now()
	_, err = Open(path, Options{LockTimeout: 50 * time.Millisecond})
	if !errors.Is(err, ErrLocked) {
		t.Fatalf("second open: %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Fatal("second open did not fail fast")
	}
}

// TestJournal_WriterWaitsForReader: a reader (status, history) holding
// the journal for a while does not make a writer (a boot's run) fail: the
// writer waits for it, up to ReaderWait.
func TestJournal_WriterWaitsForReader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	j, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	_ = j.Close()
	r, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		w, err := Open(path, Options{})
		if err == nil {
			err = w.Close()
		}
		done <- err
	}()
	time.Sleep(300 * time.Millisecond) // a reader that reads for 300 ms, three times LockTimeout's default
	_ = r.Close()
	if err := <-done; err != nil {
		t.Fatalf("a writer opening while a reader reads: %v", err)
	}
}

func TestJournal_UninitialisedFileSetAside(t *testing.T) {
	for _, size := range []int{0, 100, 4096} {
		path := filepath.Join(t.TempDir(), "j.db")
		if err := os.WriteFile(path, make([]byte, size), 0o600); err != nil {
			t.Fatal(err)
		}
		j, err := Open(path, Options{})
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		_ = j.Close()
		matches, _ := filepath.Glob(path + ".broken-*")
		if len(matches) != 1 {
			t.Fatalf("size %d: set-aside copies %v", size, matches)
		}
	}
}

func TestJournal_NewerVersionRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	j, _ := Open(path, Options{})
	_ = j.db.Update(func(tx *bolt.Tx) error { return tx.Bucket(bucketMeta).Put(keyVersion, []byte("99")) })
	_ = j.Close()
	if _, err := Open(path, Options{}); !errors.Is(err, ErrVersion) {
		t.Fatalf("open newer: %v", err)
	}
}

// commitN commits n fresh operations and returns the journal's path.
func commitN(t *testing.T, j *Journal, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		ingest(t, j, "x")
		err := j.Update(func(tx *Tx) error {
			e, err := tx.Get(tx.NextSeq() - 1)
			if err != nil {
				return err
			}
			_, err = tx.Commit(e, ops.Result{Outcome: ops.Done}, false, time.Now())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestTx_VerifyChain(t *testing.T) {
	tamper := map[string]func(b *bolt.Bucket) error{
		"edit": func(b *bolt.Bucket) error {
			v := append([]byte(nil), b.Get(u64(2))...)
			r, _ := DecodeRecord(v)
			r.Raw = "del c:\\evil"
			data, _ := jsonMarshal(r)
			return b.Put(u64(2), data)
		},
		"delete": func(b *bolt.Bucket) error { return b.Delete(u64(2)) },
		"reorder": func(b *bolt.Bucket) error {
			v2 := append([]byte(nil), b.Get(u64(2))...)
			v3 := append([]byte(nil), b.Get(u64(3))...)
			if err := b.Put(u64(2), v3); err != nil {
				return err
			}
			return b.Put(u64(3), v2)
		},
		"truncate": func(b *bolt.Bucket) error { return b.Delete(u64(4)) },
	}
	for name, fn := range tamper {
		t.Run(name, func(t *testing.T) {
			j, err := Open(filepath.Join(t.TempDir(), "j.db"), Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer j.Close()
			commitN(t, j, 4)
			_ = j.View(func(tx *Tx) error {
				if errs := tx.VerifyChain(); len(errs) != 0 {
					t.Fatalf("clean chain: %v", errs)
				}
				return nil
			})
			if err := j.db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket(bucketHistory)) }); err != nil {
				t.Fatal(err)
			}
			_ = j.View(func(tx *Tx) error {
				errs := tx.VerifyChain()
				if len(errs) == 0 {
					t.Fatal("tampering not detected")
				}
				var ce *ChainError
				if !errors.As(errs[0], &ce) || ce.Key == 0 {
					t.Fatalf("finding does not name the record: %v", errs)
				}
				return nil
			})
		})
	}
}

func TestTx_HistoryOrder(t *testing.T) {
	j := mustOpenJournal(t)
	commitN(t, j, 3)
	for _, newest := range []bool{false, true} {
		var ids []uint64
		_ = j.View(func(tx *Tx) error {
			return tx.History(newest, func(r *Record) (bool, error) { ids = append(ids, r.ID); return len(ids) < 2, nil })
		})
		want := []uint64{1, 2}
		if newest {
			want = []uint64{3, 2}
		}
		if len(ids) != 2 || ids[0] != want[0] || ids[1] != want[1] {
			t.Errorf("newestFirst=%v: %v", newest, ids)
		}
	}
}

var _ = binary.BigEndian

// TestTx_ConfirmMirrorForgetsAll: every committed operation before the
// mirror's start leaves the queue, however many pages they fill.
func TestTx_ConfirmMirrorForgetsAll(t *testing.T) {
	j := mustOpenJournal(t)
	raws := make([]string, 5000)
	for i := range raws {
		raws[i] = "x"
	}
	ingest(t, j, raws...)
	err := j.Update(func(tx *Tx) error {
		for seq := uint64(1); seq <= uint64(len(raws)); seq++ {
			e, err := tx.Get(seq)
			if err != nil {
				return err
			}
			if _, err := tx.Commit(e, ops.Result{Outcome: ops.Done}, false, time.Now()); err != nil {
				return err
			}
		}
		return tx.ConfirmMirror(tx.NextSeq())
	})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	_ = j.View(func(tx *Tx) error { return tx.Queue(func(*Entry) error { n++; return nil }) })
	if n != 0 {
		t.Fatalf("%d committed operations left in the queue", n)
	}
}
