package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smswork/journal"
)

// The corruption corpus: a journal caught with committed history, a
// queue, and an operation interrupted after its intent, damaged in every
// way a hard reset or a failing disk damages a bbolt file (a bit flipped
// in each kind of page, meta pages torn, the file cut short or zeroed,
// random bytes over its data pages), generated from fixed seeds. For each
// case, the real binary (a fault kills a process, never the test):
//
//   - run either proceeds or refuses with exit 2, SMS.INI byte for byte
//     and every file as they were;
//   - a journal run refused, or verify finds damaged, is salvaged (exit 0);
//   - then run goes on to the end, each operation held by the salvage
//     skipped as a person would decide it when unsure;
//   - no operation ran twice (each run operation appends its number to a
//     counter file, each move fails if repeated), every operation that
//     did not run was held, saying so, and verify is clean.

// corpusWorkload is a journal caught part way: batch 1 (done operations
// and run operations) finished, batch 2 (moves, whose repetition fails,
// and run operations) queued, its first operation (a run) killed after
// its intent marker.
type corpusWorkload struct {
	name      string
	done      int // md operations of batch 1
	runs      int // run operations of batch 1
	queued    int // moves of batch 2
	template  string
	work      *box
	counter   string
	batch2    []string
	moveNames []string
}

// newCorpusWorkload builds the workload once, in a box whose folder every
// case restores (the paths recorded in the journal stay true).
func newCorpusWorkload(t *testing.T, name string, done, runs, queued int) *corpusWorkload {
	t.Helper()
	w := &corpusWorkload{name: name, done: done, runs: runs, queued: queued}
	b := newBox(t, "", nil)
	w.work, w.counter = b, filepath.Join(b.dir, "counter")
	var batch1 []string
	for i := range done {
		batch1 = append(batch1, fmt.Sprintf(`md c:\made\d%04d`, i))
	}
	for i := range runs {
		batch1 = append(batch1, w.runEntry(fmt.Sprintf("b1-%d", i)))
	}
	if err := os.WriteFile(b.ini, []byte(txIni(batch1...)), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := b.smswork("run"); code != 0 {
		t.Fatalf("batch 1: exit %d\n%s", code, stderr)
	}
	w.batch2 = append(w.batch2, w.runEntry("b2-first"))
	for i := range queued {
		n := fmt.Sprintf("m%04d.txt", i)
		w.moveNames = append(w.moveNames, n)
		if err := os.MkdirAll(filepath.Join(b.c, "src"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(b.c, "src", n), []byte(n), 0o644); err != nil {
			t.Fatal(err)
		}
		w.batch2 = append(w.batch2, fmt.Sprintf(`move c:\src\%s c:\dst\%s`, n, n))
		if i%25 == 0 {
			w.batch2 = append(w.batch2, w.runEntry(fmt.Sprintf("b2-%d", i)))
		}
	}
	if err := os.MkdirAll(filepath.Join(b.c, "dst"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b.ini, []byte(txIni(w.batch2...)), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, _ := b.smsworkEnv([]string{"SMSWORK_FAILPOINT=run.before-start"}, "run")
	if code != -1 {
		t.Fatalf("the failpoint did not kill the run: exit %d", code)
	}
	w.template = filepath.Join(t.TempDir(), "template")
	copyTree(t, b.dir, w.template)
	return w
}

// runEntry is a run operation that appends id to the counter file.
func (w *corpusWorkload) runEntry(id string) string {
	return fmt.Sprintf(`sh -c "echo %s >> %s"`, id, w.counter)
}

// restore puts the workload's box back as it was built.
func (w *corpusWorkload) restore(t *testing.T) {
	t.Helper()
	if err := os.RemoveAll(w.work.dir); err != nil {
		t.Fatal(err)
	}
	copyTree(t, w.template, w.work.dir)
}

// copyTree copies the files and folders under src to dst, modes kept.
func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			return os.MkdirAll(to, info.Mode().Perm())
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, info.Mode().Perm())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// corpusCase is one way to damage the journal file.
type corpusCase struct {
	name   string
	damage func(t *testing.T, path string)
}

// pageCases damages, for each kind of page the journal holds (meta 0 and
// 1, freelist, and the branch and leaf pages of each bucket), the first
// and a middle one: a bit of its header's page number, a bit of its
// elements, a bit of its data.
func pageCases(t *testing.T, path string, seed uint64) []corpusCase {
	t.Helper()
	pages, err := journal.Pages(path)
	if err != nil {
		t.Fatal(err)
	}
	ps := int64(os.Getpagesize())
	r := rand.New(rand.NewPCG(seed, 2))
	var cs []corpusCase
	flip := func(name string, off int64, bit uint) {
		cs = append(cs, corpusCase{name, func(t *testing.T, path string) { flipBit(t, path, off, bit) }})
	}
	byKind := map[string][]journal.PageInfo{}
	var kinds []string
	for _, p := range pages {
		k := p.Kind + " " + p.Bucket
		if p.Kind == "free" {
			continue
		}
		if byKind[k] == nil {
			kinds = append(kinds, k)
		}
		byKind[k] = append(byKind[k], p)
	}
	for _, k := range kinds {
		ps2 := byKind[k]
		chosen := []journal.PageInfo{ps2[0]}
		if len(ps2) > 2 {
			chosen = append(chosen, ps2[len(ps2)/2])
		}
		for _, p := range chosen {
			base := int64(p.ID) * ps
			name := fmt.Sprintf("%s page %d", k, p.ID)
			if p.Kind == "meta" {
				flip(name+": bit in its checksummed part", base+16+int64(r.IntN(64)), uint(r.IntN(8)))
				continue
			}
			flip(name+": bit of its page number", base+int64(r.IntN(3)), uint(r.IntN(8)))
			flip(name+": bit of its header or elements", base+8+int64(r.IntN(8+16*3)), uint(r.IntN(8)))
			flip(name+": bit of its data", base+64+int64(r.IntN(int(ps)-64)), uint(r.IntN(8)))
		}
	}
	return cs
}

// flipBit flips bit of the byte at off in the file at path.
func flipBit(t *testing.T, path string, off int64, bit uint) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	b := make([]byte, 1)
	if _, err := f.ReadAt(b, off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 1 << bit
	if _, err := f.WriteAt(b, off); err != nil {
		t.Fatal(err)
	}
}

// fileCases damages the file as a whole: torn meta pages, truncation at
// several offsets, zeros, random bytes over the data pages.
func fileCases(seeds int) []corpusCase {
	ps := int64(os.Getpagesize())
	tear := func(page int64) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			// A write cut after its first bytes: the rest of the page old,
			// here zeros from the 40th byte on (the checksum is lost).
			overwriteAt(t, path, page*ps+40, make([]byte, ps-40))
		}
	}
	cut := func(size func(int64) int64) func(t *testing.T, path string) {
		return func(t *testing.T, path string) {
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.Truncate(path, size(st.Size())); err != nil {
				t.Fatal(err)
			}
		}
	}
	cs := []corpusCase{
		{"meta 0 torn", tear(0)},
		{"meta 1 torn", tear(1)},
		{"both meta pages torn", func(t *testing.T, path string) { tear(0)(t, path); tear(1)(t, path) }},
		{"cut to one page", cut(func(int64) int64 { return ps })},
		{"cut to three pages", cut(func(int64) int64 { return 3 * ps })},
		{"cut in half", cut(func(n int64) int64 { return n / 2 / ps * ps })},
		{"cut a page short", cut(func(n int64) int64 { return n - ps })},
		{"cut 100 bytes short", cut(func(n int64) int64 { return n - 100 })},
		{"zeroed", func(t *testing.T, path string) {
			st, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			overwriteAt(t, path, 0, make([]byte, st.Size()))
		}},
	}
	for seed := range uint64(seeds) {
		cs = append(cs, corpusCase{fmt.Sprintf("200 random bytes, seed %d", seed), func(t *testing.T, path string) { randomOver(t, path, seed, 200) }})
	}
	return cs
}

func overwriteAt(t *testing.T, path string, off int64, data []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = f.Close() }()
	if _, err := f.WriteAt(data, off); err != nil {
		t.Fatal(err)
	}
}

func TestCorrupt_Corpus(t *testing.T) {
	sizes := []struct {
		name               string
		done, runs, queued int
		seeds              int
	}{
		{"small", 2, 1, 3, 12},
		{"medium", 40, 5, 40, 8},
		{"large", 300, 5, 60, 6},
	}
	stats := map[string]int{}
	for _, sz := range sizes {
		w := newCorpusWorkload(t, sz.name, sz.done, sz.runs, sz.queued)
		cases := append(pageCases(t, w.work.journal, uint64(len(sz.name))), fileCases(sz.seeds)...)
		for i, c := range cases {
			if testing.Short() && i%4 != 0 {
				continue
			}
			t.Run(sz.name+"/"+c.name, func(t *testing.T) {
				w.restore(t)
				c.damage(t, w.work.journal)
				stats[w.check(t)]++
			})
		}
	}
	t.Logf("outcomes: %v", stats)
	if stats["refused, salvaged"] == 0 {
		t.Fatal("no case was refused and salvaged: the corpus damages nothing")
	}
}

// check runs one damaged case through and returns what happened.
func (w *corpusWorkload) check(t *testing.T) string {
	t.Helper()
	b := w.work
	ini := b.read("SMS.INI")
	tree := treeOf(t, b.dir)
	code, _, stderr := b.smswork("run")
	noCrash(t, "run", code, stderr)
	outcome := "proceeded"
	switch code {
	case 2:
		refusedDamaged(t, b, "run", code, stderr)
		if got := b.read("SMS.INI"); got != ini {
			t.Fatalf("a refused run changed SMS.INI:\n%q\n%s", got, lastLines(stderr, 8))
		}
		sameTree(t, "after a refused run", tree, treeOf(t, b.dir))
		outcome = "refused"
	case 0, 3:
	default:
		t.Fatalf("run on the damaged journal: exit %d\n%s", code, lastLines(stderr, 6))
	}
	held := map[string]bool{}
	code, _, stderr = b.smswork("verify")
	noCrash(t, "verify", code, stderr)
	if code == 2 || code == 1 {
		// Damaged pages (2), or records whose content fails their hash
		// (1, named as findings): salvage keeps them out.
		code, out, stderr := b.smswork("journal", "salvage")
		noCrash(t, "salvage", code, stderr)
		if code != 0 {
			t.Fatalf("salvage: exit %d\n%s%s", code, out, stderr)
		}
		outcome += ", salvaged"
	} else if outcome == "refused" {
		t.Fatalf("run refused the journal, verify did not (exit %d)\n%s", code, stderr)
	}
	for range 5 {
		code, _, stderr = b.smswork("run")
		noCrash(t, "run", code, stderr)
		if code == 0 {
			break
		}
		if code != 3 {
			t.Fatalf("run after salvage: exit %d (an operation repeated fails)\n%s", code, stderr)
		}
		for _, raw := range w.skipHeld(t) {
			held[raw] = true
		}
	}
	if code != 0 {
		t.Fatal("run never finished")
	}
	if code, out, _ := b.smswork("verify"); code != 0 {
		t.Fatalf("verify at the end: exit %d\n%s", code, out)
	}
	w.checkOnce(t, held)
	return outcome
}

// skipHeld decides every held operation as skip and returns their entries.
func (w *corpusWorkload) skipHeld(t *testing.T) []string {
	t.Helper()
	code, out, stderr := w.work.smswork("status", "--json")
	if code != 3 {
		t.Fatalf("status: exit %d\n%s", code, stderr)
	}
	var rep statusReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(w.work.journal, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = j.Close() }()
	var raws []string
	for _, e := range rep.Held {
		if err := j.Update(func(tx *journal.Tx) error {
			_, err := tx.Resolve(e.Seq, journal.Skip, "corpus", time.Now())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		raws = append(raws, e.Raw)
	}
	return raws
}

// checkOnce checks that no operation ran twice and that each one that did
// not run was held.
func (w *corpusWorkload) checkOnce(t *testing.T, held map[string]bool) {
	t.Helper()
	data, err := os.ReadFile(w.counter)
	if err != nil {
		t.Fatal(err)
	}
	count := map[string]int{}
	for _, l := range strings.Fields(string(data)) {
		count[l]++
	}
	for id, n := range count {
		if n > 1 {
			t.Errorf("run operation %s ran %d times", id, n)
		}
	}
	for i := range w.runs {
		if id := fmt.Sprintf("b1-%d", i); count[id] != 1 {
			t.Errorf("run operation %s of the finished batch ran %d times", id, count[id])
		}
	}
	for _, e := range w.batch2 {
		var ran bool
		if id, ok := strings.CutPrefix(e, `sh -c "echo `); ok {
			id, _, _ = strings.Cut(id, " ")
			ran = count[id] == 1
		} else {
			n := strings.TrimPrefix(strings.Fields(e)[1], `c:\src\`)
			ran = w.work.exists("dst/"+n) && !w.work.exists("src/"+n)
			if !ran && !w.work.exists("src/"+n) {
				t.Errorf("%s: the file is in neither place", e)
			}
		}
		if !ran && !held[e] {
			t.Errorf("%s did not run and was never held", e)
		}
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(ls[max(0, len(ls)-n):], "\n")
}
