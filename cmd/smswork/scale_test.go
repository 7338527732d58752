package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"io"
	"os/exec"
	"runtime"
	"slices"
	"testing"
	"time"
)

// raceEnabled is set by race_test.go under -race, which makes a million
// records too slow to generate.
var raceEnabled bool

var scaleRecords = flag.Int("scale.records", 1_000_000, "records in the journal of TestScale_MillionRecords")

// TestScale_MillionRecords checks, on a journal of a million records,
// that history --json streams them all (records per second logged, heap
// bounded) and that a run with nothing pending stays as fast as on an
// empty journal: the boot path reads no history. It takes about a minute.
func TestScale_MillionRecords(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("a million records: not with -short or -race")
	}
	n := *scaleRecords
	b := newBox(t, "[SMS Work]\nPendingWork=\n", nil)
	start := time.Now()
	genJournal(t, b.journal, n)
	t.Logf("generated %d records in %v", n, time.Since(start).Round(time.Millisecond))

	// The real binary, its output read as it comes.
	cmd := exec.Command(binPath, "--ini", b.ini, "--journal", b.journal, "history", "--json")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := 0
	r := bufio.NewReaderSize(out, 1<<20)
	for {
		chunk, err := r.ReadSlice('\n')
		if err == nil {
			lines++
		} else if err != bufio.ErrBufferFull {
			if err != io.EOF {
				t.Fatal(err)
			}
			break
		}
		_ = chunk
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	if lines != n {
		t.Fatalf("history --json printed %d records, want %d", lines, n)
	}
	t.Logf("history --json: %d records in %v, %.0f records/s", n, took.Round(time.Millisecond), float64(n)/took.Seconds())

	// In process, the table (every record decoded): the heap stays small.
	w := &heapWatch{}
	start = time.Now()
	if code := run(context.Background(), []string{"--ini", b.ini, "--journal", b.journal, "history", "--outcome", "already-done"}, w, io.Discard); code != 0 {
		t.Fatalf("history table: exit %d", code)
	}
	if w.lines != n+1 || w.peak > 256<<20 {
		t.Fatalf("history table: %d lines, peak heap %d MiB", w.lines, w.peak>>20)
	}
	t.Logf("history table of %d records (each decoded): %v, peak heap %d MiB", n, time.Since(start).Round(time.Millisecond), w.peak>>20)

	// An empty run: a million records against none.
	empty := newBox(t, "[SMS Work]\nPendingWork=\n", nil)
	big, small := medianRun(t, b), medianRun(t, empty)
	t.Logf("empty run: median %v on a %d-record journal, %v on an empty one", big, n, small)
	if big > 3*small+100*time.Millisecond {
		t.Errorf("empty run on %d records takes %v, on none %v: the boot path reads history", n, big, small)
	}
}

func medianRun(t *testing.T, b *box) time.Duration {
	t.Helper()
	var ds []time.Duration
	for range 9 {
		start := time.Now()
		if code, out, stderr := b.smswork("run"); code != 0 {
			t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
		}
		ds = append(ds, time.Since(start))
	}
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// heapWatch counts lines written and samples the live heap every 10,000.
type heapWatch struct {
	lines int
	peak  uint64
}

func (w *heapWatch) Write(p []byte) (int, error) {
	before := w.lines / 10000
	w.lines += bytes.Count(p, []byte{'\n'})
	if w.lines/10000 != before {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		w.peak = max(w.peak, m.HeapAlloc)
	}
	return len(p), nil
}
