package main

import (
	"encoding/binary"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

// twoDone is the journal of the report: two finished operations.
const twoDone = "[SMS Work]\nPendingWork=md c:\\a, md c:\\b\n"

// twoDoneBox runs twoDone to completion and returns the box.
func twoDoneBox(t *testing.T) *box {
	t.Helper()
	b := newBox(t, twoDone, nil)
	if code, out, stderr := b.smswork("run"); code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
	}
	return b
}

// randomOver writes n bytes of a generator seeded with seed over the
// journal's data pages (past the two meta pages), at a place the same
// generator chooses.
func randomOver(t *testing.T, path string, seed uint64, n int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ps := os.Getpagesize()
	r := rand.New(rand.NewPCG(seed, 1))
	off := 2*ps + r.IntN(len(data)-2*ps-n)
	for i := range n {
		data[off+i] = byte(r.Uint32())
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// noCrash fails the test when a command died of a Go panic or a fault
// instead of reporting an error.
func noCrash(t *testing.T, what string, code int, stderr string) {
	t.Helper()
	for _, s := range []string{"panic:", "fatal error:", "goroutine ", "unexpected fault address", "SIGSEGV"} {
		if strings.Contains(stderr, s) {
			first, _, _ := strings.Cut(stderr[strings.Index(stderr, s):], "\n")
			t.Fatalf("%s crashed (exit %d): %s", what, code, first)
		}
	}
}

// refusedDamaged checks that a command refused the damaged journal the
// way an administrator must see it: exit 2, the file named, and what to
// do next.
func refusedDamaged(t *testing.T, b *box, what string, code int, stderr string) {
	t.Helper()
	if code != 2 || !strings.Contains(stderr, b.journal) || !strings.Contains(stderr, "smswork journal salvage") {
		t.Fatalf("%s on a damaged journal: exit %d, want 2 naming %s and what to do:\n%s", what, code, b.journal, stderr)
	}
}

// TestDamage_RandomBytesNeverPanic is the report: 200 random bytes over
// the data pages of a journal of two finished operations made run,
// status and verify die of a panic in bbolt ("assertion failed: Page
// expected to be: 3, but self identifies as ..."), or of a memory fault.
// Now each either works or refuses with exit 2; run changes nothing when
// it refuses.
func TestDamage_RandomBytesNeverPanic(t *testing.T) {
	b := twoDoneBox(t)
	good, err := os.ReadFile(b.journal)
	if err != nil {
		t.Fatal(err)
	}
	ini := b.read("SMS.INI")
	tree := treeOf(t, b.c)
	refused := 0
	for seed := uint64(0); seed < 128; seed++ {
		if err := os.WriteFile(b.journal, good, 0o600); err != nil {
			t.Fatal(err)
		}
		randomOver(t, b.journal, seed, 200)
		for _, c := range []string{"status", "history", "verify", "run"} {
			code, _, stderr := b.smswork(c)
			noCrash(t, c, code, stderr)
			switch {
			case code == 2:
				refused++
				refusedDamaged(t, b, c, code, stderr)
			case code == 0, (c == "verify" || c == "history") && code == 1:
				// A record whose content fails: a finding, named (see verify).
			default:
				t.Fatalf("seed %d: %s: exit %d\n%s", seed, c, code, stderr)
			}
			if c == "run" && code == 2 {
				if got := b.read("SMS.INI"); got != ini {
					t.Fatalf("seed %d: a refused run changed SMS.INI:\n%q", seed, got)
				}
				sameTree(t, "files after a refused run", tree, treeOf(t, b.c))
			}
		}
	}
	if refused == 0 {
		t.Fatal("no seed damaged the journal: the test tests nothing")
	}
	t.Logf("%d refusals with exit 2 over 128 seeds x 4 commands", refused)
}

// rootPage returns the page of the journal's root bucket (the one that
// lists the others), through bbolt's own API.
func rootPage(t *testing.T, path string) uint64 {
	t.Helper()
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var id uint64
	_ = db.View(func(tx *bolt.Tx) error {
		id = uint64(tx.Cursor().Bucket().Root())
		return nil
	})
	return id
}

// TestDamage_FaultIsCaught: an element of the root bucket's page whose
// offset points a gigabyte past it makes bbolt read outside its memory
// map, a fault no recover catches unless the goroutine asked for a panic.
func TestDamage_FaultIsCaught(t *testing.T) {
	b := twoDoneBox(t)
	ini := b.read("SMS.INI")
	id := rootPage(t, b.journal)
	f, err := os.OpenFile(b.journal, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	pos := make([]byte, 4)
	binary.NativeEndian.PutUint32(pos, 1<<30)
	// Leaf element 0: flags u32, then pos u32, after the 16-byte header.
	if _, err := f.WriteAt(pos, int64(id)*int64(os.Getpagesize())+16+4); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	for _, c := range []string{"run", "status", "verify", "history"} {
		code, _, stderr := b.smswork(c)
		noCrash(t, c, code, stderr)
		refusedDamaged(t, b, c, code, stderr)
	}
	if b.read("SMS.INI") != ini {
		t.Fatal("SMS.INI changed")
	}
}

// TestDamage_ZeroedFile: a zeroed journal was "open journal ...: invalid
// database" with exit 1, which means an operation failed; it is damage.
func TestDamage_ZeroedFile(t *testing.T) {
	b := twoDoneBox(t)
	st, err := os.Stat(b.journal)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b.journal, make([]byte, st.Size()), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"run", "status", "verify", "history"} {
		code, _, stderr := b.smswork(c)
		noCrash(t, c, code, stderr)
		refusedDamaged(t, b, c, code, stderr)
	}
}

// TestDamage_CutShortIsNotRecreated: a journal cut to one page looked
// like one whose first initialisation a crash interrupted, so run set it
// aside and started a new one, forgetting everything it had run.
func TestDamage_CutShortIsNotRecreated(t *testing.T) {
	b := newBox(t, "[SMS Work]\nPendingWork=md c:\\a, copy c:\\missing c:\\b, md c:\\c\n", nil)
	if code, _, _ := b.smswork("run"); code != 1 {
		t.Fatalf("run: exit %d, want 1 (the copy fails)", code)
	}
	ini := b.read("SMS.INI")
	if err := os.Truncate(b.journal, int64(os.Getpagesize())); err != nil {
		t.Fatal(err)
	}
	for _, c := range []string{"status", "verify", "run"} {
		code, _, stderr := b.smswork(c)
		noCrash(t, c, code, stderr)
		refusedDamaged(t, b, c, code, stderr)
	}
	if b.read("SMS.INI") != ini {
		t.Fatal("SMS.INI changed")
	}
	if matches, _ := filepath.Glob(b.journal + ".broken-*"); len(matches) != 0 {
		t.Fatalf("the journal was set aside as if never initialised: %v", matches)
	}
}
