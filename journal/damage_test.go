package journal

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"smswork/ops"
)

// damageJournal writes a journal at path with done committed operations
// (each with its audit record) followed by queued ones, the first of them
// with an intent marker, and the mirror confirmed at the first one not
// committed; it returns the texts SMS.INI lists (the uncommitted ones).
// As a run does, the last transactions are the last commit, then the
// next operation's intent.
func damageJournal(t *testing.T, path string, done, queued int) []string {
	t.Helper()
	j, err := Open(path, Options{Host: "h", Version: "v"})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = j.Close() }()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var ini []string
	var first uint64
	err = j.Update(func(tx *Tx) error {
		var es []NewEntry
		for i := range done + queued {
			p := ops.Path{Drive: "C", Rel: fmt.Sprintf("dir%05d/with/a/longer/name/to/fill/pages", i)}
			es = append(es, NewEntry{Raw: "md " + p.String(), Op: ops.Op{Kind: ops.KindMD, Src: p}})
		}
		b, err := tx.Ingest("SMS.INI", at, es)
		if err != nil {
			return err
		}
		first = b.FirstSeq
		return tx.ConfirmMirror(first)
	})
	if err != nil {
		t.Fatal(err)
	}
	step := func(from, to int, commit bool) {
		err := j.Update(func(tx *Tx) error {
			for i := from; i < to; i++ {
				e, err := tx.Get(first + uint64(i))
				if err != nil {
					return err
				}
				if err := tx.SetIntent(e, &ops.Intent{Items: []ops.Item{{Src: e.Op.Src}}}, at); err != nil {
					return err
				}
				if !commit {
					continue
				}
				if _, err := tx.Commit(e, ops.Result{Outcome: ops.Done, Start: at, End: at}, false, at); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for i := 0; i < done; i += 100 {
		step(i, min(i+100, done), true)
	}
	_ = j.View(func(tx *Tx) error {
		return tx.QueueFrom(first+uint64(done), func(e *Entry) error { ini = append(ini, e.Raw); return nil })
	})
	if err := j.Update(func(tx *Tx) error { return tx.ConfirmMirror(first + uint64(done)) }); err != nil {
		t.Fatal(err)
	}
	step(done, done+1, false) // the next intent marker: the newest transaction
	return ini
}

// pageOf returns the first page of kind in bucket.
func pageOf(t *testing.T, path, bucket, kind string) uint64 {
	t.Helper()
	pages, err := Pages(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pages {
		if p.Bucket == bucket && p.Kind == kind {
			return p.ID
		}
	}
	t.Fatalf("no %s page in bucket %s: %+v", kind, bucket, pages)
	return 0
}

// overwrite writes data at offset off of the file at path.
func overwrite(t *testing.T, path string, off int64, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt(data, off); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// breakPage overwrites the page number in the header of page id: bbolt's
// "Page expected to be: N, but self identifies as M".
func breakPage(t *testing.T, path string, id uint64) {
	t.Helper()
	b := make([]byte, 8)
	binary.NativeEndian.PutUint64(b, id+1000)
	overwrite(t, path, int64(id)*int64(os.Getpagesize()), b)
}

func TestOpen_DamagedRefusesForEveryMode(t *testing.T) {
	for _, c := range []struct{ bucket, kind string }{
		{"queue", "leaf"}, {"history", "leaf"}, {"history", "branch"}, {"(root)", "leaf"},
	} {
		t.Run(c.bucket+"-"+c.kind, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "j.db")
			damageJournal(t, path, 400, 300)
			id := pageOf(t, path, c.bucket, c.kind)
			breakPage(t, path, id)
			for _, ro := range []bool{false, true} {
				j, err := Open(path, Options{ReadOnly: ro})
				if c.bucket == "history" && c.kind == "leaf" && err == nil {
					// A history leaf off the append path: Open does not read
					// it; a walk of the history does, and says so.
					err = j.View(func(tx *Tx) error { return tx.History(false, func(*Record) (bool, error) { return true, nil }) })
					_ = j.Close()
				} else if err == nil {
					_ = j.Close()
				}
				var de *DamageError
				if !errors.Is(err, ErrDamaged) || !errors.As(err, &de) || de.Path != path {
					t.Fatalf("read-only %v: %v, want a DamageError naming %s", ro, err, path)
				}
			}
		})
	}
}

func TestOpen_ZeroedAndTruncated(t *testing.T) {
	for name, damage := range map[string]func(path string, size int64){
		"zeroed":         func(path string, size int64) { overwrite(t, path, 0, make([]byte, size)) },
		"truncated":      func(path string, _ int64) { _ = os.Truncate(path, 20*int64(os.Getpagesize())) },
		"cut to 3 pages": func(path string, _ int64) { _ = os.Truncate(path, 3*int64(os.Getpagesize())) },
		"cut to 1 page":  func(path string, _ int64) { _ = os.Truncate(path, int64(os.Getpagesize())) },
		"both metas": func(path string, _ int64) {
			overwrite(t, path, 20, []byte{1, 2, 3})
			overwrite(t, path, int64(os.Getpagesize())+20, []byte{1, 2, 3})
		},
		"one meta": func(path string, _ int64) { overwrite(t, path, 40, []byte{0xff}) },
	} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "j.db")
			damageJournal(t, path, 300, 5)
			st, _ := os.Stat(path)
			damage(path, st.Size())
			_, err := Open(path, Options{})
			if !errors.Is(err, ErrDamaged) {
				t.Fatalf("Open: %v, want ErrDamaged", err)
			}
		})
	}
}

// salvaged salvages path with SMS.INI listing ini and returns the result
// and the new journal, opened; the new journal must pass every check.
func salvaged(t *testing.T, path string, ini []string, force bool) (*SalvageResult, *Journal) {
	t.Helper()
	res, err := Salvage(path, SalvageOptions{ReadIni: func() ([]string, error) { return ini, nil }, Force: force,
		Parse: ops.Parse, Host: "h", Version: "v", Now: time.Date(2026, 2, 1, 0, 0, 0, 0, time.UTC)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(res.Broken); err != nil {
		t.Fatalf("damaged file not kept: %v", err)
	}
	j, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("open the salvaged journal: %v", err)
	}
	t.Cleanup(func() { _ = j.Close() })
	if errs := j.Check(); len(errs) > 0 {
		t.Fatalf("salvaged journal: %v", errs)
	}
	if err := j.View(func(tx *Tx) error {
		if errs := tx.VerifyChain(); len(errs) > 0 {
			return fmt.Errorf("chain: %v", errs)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return res, j
}

// queueOf returns the salvaged queue from seq on, by seq.
func queueOf(t *testing.T, j *Journal) map[uint64]*Entry {
	t.Helper()
	q := map[uint64]*Entry{}
	if err := j.View(func(tx *Tx) error {
		return tx.Queue(func(e *Entry) error { q[e.Seq] = e; return nil })
	}); err != nil {
		t.Fatal(err)
	}
	return q
}

func TestSalvage_SoundNeedsForce(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	ini := damageJournal(t, path, 30, 4)
	if _, err := Salvage(path, SalvageOptions{ReadIni: func() ([]string, error) { return ini, nil }}); !errors.Is(err, ErrSound) {
		t.Fatalf("salvage of a sound journal: %v, want ErrSound", err)
	}
	res, j := salvaged(t, path, ini, true)
	if !res.Exact || res.Kept != 30 || res.Lost != 0 || len(res.Held) != 1 || res.Held[0].Seq != 31 {
		t.Fatalf("forced salvage: %+v", res)
	}
	q := queueOf(t, j)
	if len(q) != 4 || q[31].State != Held || q[32].State != Queued || q[34].Raw != ini[3] {
		t.Fatalf("queue: %+v", q)
	}
}

func TestSalvage_QueueLeafLost(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	ini := damageJournal(t, path, 400, 300)
	breakPage(t, path, pageOf(t, path, "queue", "leaf"))
	res, j := salvaged(t, path, ini, false)
	if !res.Exact || res.Lost != 0 || res.Kept != 400 {
		t.Fatalf("result: %+v", res)
	}
	q := queueOf(t, j)
	if len(q) != 300 {
		t.Fatalf("queue holds %d operations, want the 300 SMS.INI lists", len(q))
	}
	held := 0
	for seq := uint64(401); seq <= 700; seq++ {
		e := q[seq]
		if e == nil || e.Raw != ini[seq-401] {
			t.Fatalf("operation %d: %+v, want %q", seq, e, ini[seq-401])
		}
		if e.State == Held {
			held++
			if e.Op.Kind != ops.KindMD {
				t.Fatalf("held operation %d has no operation parsed from SMS.INI: %+v", seq, e.Op)
			}
		} else if e.State != Queued {
			t.Fatalf("operation %d is %s", seq, e.State)
		}
	}
	if held == 0 || held != len(res.Held) || q[401].State != Held {
		t.Fatalf("%d held (result says %d); operation 401 (intent) is %s", held, len(res.Held), q[401].State)
	}
}

func TestSalvage_HistoryLeafLostIsMarked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	ini := damageJournal(t, path, 600, 2)
	leaf := pageOf(t, path, "history", "leaf")
	overwrite(t, path, int64(leaf)*int64(os.Getpagesize()), make([]byte, os.Getpagesize()))
	res, j := salvaged(t, path, ini, false)
	if res.Lost == 0 || res.Kept+res.Lost != 600 {
		t.Fatalf("result: kept %d lost %d of 600", res.Kept, res.Lost)
	}
	var lost, salvages int
	if err := j.View(func(tx *Tx) error {
		return tx.History(false, func(r *Record) (bool, error) {
			switch r.Outcome {
			case ops.Lost:
				lost += int(r.Salvage.Through - r.Salvage.From + 1)
			case ops.Salvaged:
				salvages++
			}
			return true, nil
		})
	}); err != nil {
		t.Fatal(err)
	}
	if uint64(lost) != res.Lost || salvages != 1 {
		t.Fatalf("markers stand for %d records, result says %d; %d salvage record(s)", lost, res.Lost, salvages)
	}
}

func TestSalvage_HistoryBranchLostRecoversItsLeaves(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	ini := damageJournal(t, path, 600, 2)
	breakPage(t, path, pageOf(t, path, "history", "branch"))
	res, _ := salvaged(t, path, ini, false)
	if res.Kept != 600 || res.Lost != 0 || res.Scattered == 0 {
		t.Fatalf("a branch's leaves are whole: kept %d lost %d scattered %d", res.Kept, res.Lost, res.Scattered)
	}
}

func TestSalvage_ZeroedHoldsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	ini := damageJournal(t, path, 20, 3)
	st, _ := os.Stat(path)
	overwrite(t, path, 0, make([]byte, st.Size()))
	res, j := salvaged(t, path, ini, false)
	if res.Exact || len(res.Held) != 3 || !res.LostUnknown {
		t.Fatalf("result: %+v", res)
	}
	q := queueOf(t, j)
	var m MirrorState
	_ = j.View(func(tx *Tx) (err error) { m, err = tx.Mirror(); return err })
	for i := range ini {
		e := q[m.Start+uint64(i)]
		if e == nil || e.State != Held || e.Raw != ini[i] {
			t.Fatalf("SMS.INI entry %d: %+v", i, e)
		}
	}
}

func TestSalvage_StaleMetaHoldsTheNextOperation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	ini := damageJournal(t, path, 20, 3)
	// The meta page bbolt uses now: the other one is a transaction older.
	pf := func() int {
		f, _ := os.Open(path)
		defer f.Close()
		st, _ := f.Stat()
		return openPageFile(f, st.Size()).use
	}()
	overwrite(t, path, int64(pf*os.Getpagesize())+40, []byte{0xff, 0xee})
	res, j := salvaged(t, path, ini, false)
	if !res.Stale {
		t.Fatalf("a damaged meta page must be noted: %+v", res)
	}
	q := queueOf(t, j)
	if q[21] == nil || q[22] == nil || q[23] == nil {
		t.Fatalf("queue %v, result %+v", q, res)
	}
	// The newest transaction, lost, wrote operation 21's intent: 21 is
	// queued in what remains, and held, since it may have started.
	if q[21].State != Held || q[22].State != Queued || q[23].State != Queued {
		t.Fatalf("states: 21 %s, 22 %s, 23 %s", q[21].State, q[22].State, q[23].State)
	}
}

func TestSalvage_UnmatchedIniHoldsEverything(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	ini := damageJournal(t, path, 20, 3)
	// SMS.INI was edited: its entries are not what the journal listed.
	edited := []string{ini[1], ini[0], ini[2]}
	res, j := salvaged(t, path, edited, true)
	if res.Exact || len(res.Held) != 3 {
		t.Fatalf("result: %+v", res)
	}
	for _, e := range queueOf(t, j) {
		if e.State != Held {
			t.Fatalf("operation %d is %s", e.Seq, e.State)
		}
	}
}

func TestVerifyChain_LostMarkerMustCover(t *testing.T) {
	j := mustOpenJournalNoCheck(t)
	at := time.Unix(0, 0).UTC()
	verify := func(put func(tx *Tx) (*Record, error)) []error {
		t.Helper()
		if err := j.Update(func(tx *Tx) error {
			last, err := put(tx)
			if err != nil {
				return err
			}
			if err := tx.meta().Put(keyHead, []byte(last.chainNext())); err != nil {
				return err
			}
			return tx.meta().Put(keyNextRec, u64(last.ID+1))
		}); err != nil {
			t.Fatal(err)
		}
		var errs []error
		if err := j.View(func(tx *Tx) error { errs = tx.VerifyChain(); return nil }); err != nil {
			t.Fatal(err)
		}
		return errs
	}
	var r1 *Record
	errs := verify(func(tx *Tx) (*Record, error) {
		r1 = &Record{ID: 1, Outcome: ops.Done, Committed: at}
		if err := tx.putRecord(r1); err != nil {
			return nil, err
		}
		m := &Record{ID: 3, Outcome: ops.Lost, Committed: at, Prev: r1.Hash, Salvage: &SalvageMark{From: 2, Through: 3}}
		return m, tx.putRecord(m)
	})
	if len(errs) != 0 {
		t.Fatalf("a marker standing for records 2 and 3: %v", errs)
	}
	errs = verify(func(tx *Tx) (*Record, error) {
		prev, err := tx.Record(3)
		if err != nil {
			return nil, err
		}
		m := &Record{ID: 5, Outcome: ops.Lost, Committed: at, Prev: prev.chainNext(), Salvage: &SalvageMark{From: 5, Through: 5}}
		return m, tx.putRecord(m) // record 4 is missing: the marker does not stand for it
	})
	found := false
	for _, e := range errs {
		if ce, ok := e.(*ChainError); ok && ce.Key == 5 && ce.Msg == "a marker of lost records that does not stand for the records before it" {
			found = true
		}
	}
	if !found {
		t.Fatalf("a marker that does not cover its gap: %v", errs)
	}
}

// mustOpenJournalNoCheck opens a new journal closed at clean-up.
func mustOpenJournalNoCheck(t *testing.T) *Journal {
	t.Helper()
	j, err := Open(filepath.Join(t.TempDir(), "j.db"), Options{Host: "test", Version: "v"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = j.Close() })
	return j
}

// TestSalvage_UndoLostStepsIsGivenUp: a rollback in progress whose undo
// steps were lost cannot be finished whole: the salvage gives it up and
// holds what is open of the batch, instead of letting the next start undo
// part of it and queue it again.
func TestSalvage_UndoLostStepsIsGivenUp(t *testing.T) {
	path := filepath.Join(t.TempDir(), "j.db")
	ini := damageJournal(t, path, 300, 5)
	j, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	err = j.Update(func(tx *Tx) error {
		b, err := tx.Batch(1)
		if err != nil {
			return err
		}
		b.Atomic = true
		return tx.StartUndo(b, UndoRollback, 301, "", time.Unix(0, 0))
	})
	_ = j.Close()
	if err != nil {
		t.Fatal(err)
	}
	breakPage(t, path, pageOf(t, path, "undo", "leaf"))
	res, sj := salvaged(t, path, ini, false)
	if len(res.NoUndo) != 1 || res.NoUndo[0] != 1 {
		t.Fatalf("batch 1 lost undo steps: %+v", res)
	}
	err = sj.View(func(tx *Tx) error {
		ids, err := tx.Undoing()
		if err != nil || len(ids) != 0 {
			return fmt.Errorf("undoing %v %v, want none", ids, err)
		}
		b, err := tx.Batch(1)
		if err != nil || b.Undo != nil || b.Backups != BackupsPruning {
			return fmt.Errorf("batch 1: %+v %v", b, err)
		}
		return tx.Queue(func(e *Entry) error {
			if e.State != Held {
				return fmt.Errorf("operation %d is %s, want held", e.Seq, e.State)
			}
			return nil
		})
	})
	if err != nil {
		t.Fatal(err)
	}
}
