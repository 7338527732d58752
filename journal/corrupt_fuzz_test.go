package journal

import (
	"bytes"
	"errors"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
	"time"

	"smswork/ops"
)

// raceEnabled is set by race_test.go under -race.
var raceEnabled bool

// seedJournal returns the bytes of a small journal with history, a queue
// and an intent marker, and the entries SMS.INI lists.
func seedJournal(t *testing.T, done, queued int) ([]byte, []string) {
	path := filepath.Join(t.TempDir(), "seed.db")
	ini := damageJournal(t, path, done, queued)
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data, ini
}

// FuzzPageCheck feeds any bytes as a journal file to the page check and
// the salvage's reading and planning: none may panic, whatever the file.
func FuzzPageCheck(f *testing.F) {
	for _, size := range [][2]int{{3, 2}, {40, 5}} {
		path := filepath.Join(f.TempDir(), "seed.db")
		j, err := Open(path, Options{})
		if err != nil {
			f.Fatal(err)
		}
		var es []NewEntry
		for i := range size[0] + size[1] {
			p := ops.Path{Drive: "C", Rel: "d" + string(rune('a'+i%26))}
			es = append(es, NewEntry{Raw: "md " + p.String(), Op: ops.Op{Kind: ops.KindMD, Src: p}})
		}
		_ = j.Update(func(tx *Tx) error { _, err := tx.Ingest("SMS.INI", time.Unix(0, 0), es); return err })
		_ = j.Close()
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2])
	}
	f.Add([]byte{})
	f.Add(make([]byte, 4*4096))
	f.Fuzz(func(t *testing.T, data []byte) {
		r := bytes.NewReader(data)
		pf := openPageFile(r, int64(len(data)))
		_ = pf.check(nil, true, ops.Parse)
		rd := readFrom(r, int64(len(data)), ops.Parse)
		p := planSalvage(rd, []string{"md c:\\a", "md c:\\b"}, SalvageOptions{Parse: ops.Parse}, "broken")
		if p.nextSeq < p.mirror.Start {
			t.Fatalf("planned window %d..%d", p.mirror.Start, p.nextSeq)
		}
	})
}

// TestCorrupt_Generated damages a journal in ways drawn from fixed seeds
// (bit flips, runs of random bytes and cuts, one to three of them,
// anywhere past the first page) and checks, in this process, that opening
// it either works or says it is damaged, that every walk of a journal
// that opens works or says so, never a panic, and that a salvage of a
// damaged one gives a journal that is sound and whose chain verifies.
func TestCorrupt_Generated(t *testing.T) {
	good, ini := seedJournal(t, 300, 40)
	seeds := 200
	if testing.Short() || raceEnabled {
		seeds = 40 // the race detector makes each seed ten times slower
	}
	outcomes := map[string]int{}
	for seed := range uint64(seeds) {
		r := rand.New(rand.NewPCG(seed, 7))
		data := bytes.Clone(good)
		for range 1 + r.IntN(3) {
			off := 1 + r.IntN(len(data)-1)
			switch r.IntN(4) {
			case 0, 1:
				data[off] ^= 1 << r.IntN(8)
			case 2:
				for i := off; i < min(off+1+r.IntN(300), len(data)); i++ {
					data[i] = byte(r.Uint32())
				}
			case 3:
				data = data[:off]
			}
		}
		path := filepath.Join(t.TempDir(), "j.db")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		outcomes[generatedCase(t, seed, path, ini)]++
	}
	t.Logf("%d seeds: %v", seeds, outcomes)
}

// generatedCase checks one damaged file and says what became of it.
func generatedCase(t *testing.T, seed uint64, path string, ini []string) string {
	t.Helper()
	j, err := Open(path, Options{Parse: ops.Parse})
	outcome := "opens"
	if err == nil {
		err = j.View(func(tx *Tx) error {
			if err := tx.Queue(func(*Entry) error { return nil }); err != nil {
				return err
			}
			if err := tx.Batches(func(*Batch) error { return nil }); err != nil {
				return err
			}
			_ = tx.VerifyChain()
			// Every history record read, as verify --files replays them.
			return tx.History(false, func(*Record) (bool, error) { return true, nil })
		})
		if errs := j.Check(); len(errs) > 0 && err == nil {
			err = &DamageError{Path: path, Findings: errs}
		}
		_ = j.Close()
	}
	switch {
	case err == nil:
	case errors.Is(err, ErrDamaged), errors.Is(err, ErrCorrupt):
		outcome = "damaged, salvaged"
	default:
		t.Fatalf("seed %d: %v", seed, err)
	}
	res, err := Salvage(path, SalvageOptions{ReadIni: func() ([]string, error) { return ini, nil }, Parse: ops.Parse, Force: true})
	if err != nil {
		t.Fatalf("seed %d: salvage: %v", seed, err)
	}
	j, err = Open(path, Options{Parse: ops.Parse})
	if err != nil {
		t.Fatalf("seed %d: the salvaged journal: %v (salvage: %+v)", seed, err, res)
	}
	defer func() { _ = j.Close() }()
	if errs := j.Check(); len(errs) > 0 {
		t.Fatalf("seed %d: the salvaged journal: %v", seed, errs)
	}
	var chain []error
	if err := j.View(func(tx *Tx) error { chain = tx.VerifyChain(); return nil }); err != nil || len(chain) > 0 {
		t.Fatalf("seed %d: the salvaged journal's chain: %v %v", seed, err, chain)
	}
	return outcome
}
