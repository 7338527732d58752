package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	"smswork/journal"
	"smswork/ops"
	"smswork/smsini"
)

type bench struct {
	bin   string
	dir   string
	quick bool
	n     int // sandboxes made
}

// sandbox makes a fresh drive C with an SMS.INI holding entries.
func (b *bench) sandbox(entries []string) (c string, err error) {
	b.n++
	c = filepath.Join(b.dir, fmt.Sprintf("s%d", b.n), "c")
	if err := os.MkdirAll(c, 0o755); err != nil {
		return "", err
	}
	// Rendered as smswork writes it: long queues over continuation lines.
	f, err := smsini.Parse("SMS.INI", []byte("[SMS Work]\nPendingWork=\n"))
	if err != nil {
		return "", err
	}
	return c, os.WriteFile(filepath.Join(c, "SMS.INI"), f.Render(entries), 0o644)
}

// smswork runs the binary on sandbox c and returns its wall time and peak
// resident memory.
func (b *bench) smswork(c string, args ...string) (time.Duration, int64, string, error) {
	full := append([]string{"--ini", filepath.Join(c, "SMS.INI"), "--journal", filepath.Join(filepath.Dir(c), "journal.db"),
		"--drive", "C=" + c, "--log-format", "json"}, args...)
	return timed(b.bin, full...)
}

func timed(name string, args ...string) (time.Duration, int64, string, error) {
	cmd := exec.Command(name, args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if err != nil {
		return d, 0, "", fmt.Errorf("%s %v: %v\n%s", name, args, err, errb.String())
	}
	return d, peakRSS(cmd.ProcessState), out.String(), nil
}

func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// smallFiles makes folders src and dst on drive c, and n small files
// src/f0.txt ... in src.
func smallFiles(c string, n int) error {
	for _, d := range []string{"src", "dst"} {
		if err := os.MkdirAll(filepath.Join(c, d), 0o755); err != nil {
			return err
		}
	}
	for i := 0; i < n; i++ {
		if err := os.WriteFile(filepath.Join(c, "src", fmt.Sprintf("f%d.txt", i)), []byte("small file\n"), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// fsyncLatency is the median time of one 4 KiB write and fsync of an
// existing file (no metadata to commit).
func (b *bench) fsyncLatency() (time.Duration, error) {
	dir := filepath.Join(b.dir, "latency")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	data := bytes.Repeat([]byte("x"), 4096)
	var fs []time.Duration
	for i := 0; i < 100; i++ {
		start := time.Now()
		f, err := os.OpenFile(filepath.Join(dir, "a"), os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			return 0, err
		}
		if _, err := f.Write(data); err != nil {
			return 0, err
		}
		err = f.Sync()
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return 0, err
		}
		fs = append(fs, time.Since(start))
	}
	return median(fs), nil
}

// syncCost: time per operation of a 1,000-copy and a 1,000-del queue,
// divided by the latency of one fsync and by the time of what a copy does
// to the file system without the journal: an atomic replace of a new small
// file (replaceBatch). The two sides alternate, syncCostRounds times each,
// and the medians are compared, so that a drift of the disk's latency
// during the run (it varies by a factor of 2 on a shared virtual disk)
// falls on both.
func (b *bench) syncCost() ([]row, error) {
	fsync, err := b.fsyncLatency()
	if err != nil {
		return nil, err
	}
	const n = 1000
	var copies, dels []string
	for i := 0; i < n; i++ {
		copies = append(copies, fmt.Sprintf(`copy c:\src\f%d.txt c:\dst\f%d.txt`, i, i))
		dels = append(dels, fmt.Sprintf(`del c:\src\f%d.txt`, i))
	}
	rows := []row{{"fsync of 4 KiB (median)", ms(fsync), ""}}
	var replaces []time.Duration
	for _, q := range []struct {
		name    string
		entries []string
		target  string
	}{{"copy", copies, "≤ 2.8"}, {"del", dels, "≤ 2.0"}} {
		var pers, bases []time.Duration
		for range syncCostRounds {
			base, err := b.replaceBatch(n)
			if err != nil {
				return nil, err
			}
			bases = append(bases, base)
			c, err := b.sandbox(q.entries)
			if err != nil {
				return nil, err
			}
			if err := smallFiles(c, n); err != nil {
				return nil, err
			}
			d, _, _, err := b.smswork(c, "run")
			if err != nil {
				return nil, err
			}
			pers = append(pers, d/n)
		}
		replaces = append(replaces, bases...)
		per, base := median(pers), median(bases)
		rows = append(rows,
			row{fmt.Sprintf("%d small %s: time per operation (median of %d)", n, q.name, syncCostRounds), ms(per), ""},
			row{"  ÷ fsync latency", fmt.Sprintf("%.2f", float64(per)/float64(fsync)), ""},
			row{"  ÷ atomic replace of a new file (same rounds)", fmt.Sprintf("%.2f (%s)", float64(per)/float64(base), ms(base)), q.target})
	}
	rows = append(rows[:1], append([]row{{fmt.Sprintf("atomic replace of a new file, %d in a row (median of %d)", n, len(replaces)),
		ms(median(replaces)), ""}}, rows[1:]...)...)
	return rows, nil
}

// syncCostRounds is how many times syncCost runs each side.
const syncCostRounds = 3

// replaceBatch is the time per file of n atomic replaces of new small
// files in a fresh folder, what a copy of n small files does to the file
// system without the journal: a temporary file created, written and
// fsynced, renamed to its new name, the folder fsynced.
func (b *bench) replaceBatch(n int) (time.Duration, error) {
	b.n++
	dir := filepath.Join(b.dir, fmt.Sprintf("replace%d", b.n))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return 0, err
	}
	data := []byte("small file\n")
	start := time.Now()
	for i := 0; i < n; i++ {
		tmp := filepath.Join(dir, fmt.Sprintf(".t%d", i))
		f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err != nil {
			return 0, err
		}
		if _, err := f.Write(data); err != nil {
			return 0, err
		}
		if err := f.Sync(); err != nil {
			return 0, err
		}
		if err := f.Close(); err != nil {
			return 0, err
		}
		if err := os.Rename(tmp, filepath.Join(dir, fmt.Sprintf("f%d.txt", i))); err != nil {
			return 0, err
		}
		d, err := os.Open(dir)
		if err != nil {
			return 0, err
		}
		err = d.Sync()
		if cerr := d.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return 0, err
		}
	}
	return time.Since(start) / time.Duration(n), nil
}

// scaling: time per operation and peak memory of queues of growing size.
func (b *bench) scaling() ([]row, error) {
	sizes := []int{100, 1000, 10000, 100000}
	if b.quick {
		sizes = sizes[:3]
	}
	var rows []row
	per := map[int]time.Duration{}
	for _, n := range sizes {
		entries := make([]string, n)
		for i := range entries {
			entries[i] = fmt.Sprintf(`del c:\gone\f%d.txt`, i)
		}
		c, err := b.sandbox(entries)
		if err != nil {
			return nil, err
		}
		d, rss, _, err := b.smswork(c, "run")
		if err != nil {
			return nil, err
		}
		per[n] = d / time.Duration(n)
		rows = append(rows, row{fmt.Sprintf("queue of %d: time per operation, peak RSS", n),
			fmt.Sprintf("%s, %.1f MiB", ms(per[n]), float64(rss)/(1<<20)), ""})
	}
	last := sizes[len(sizes)-1]
	rows = append(rows, row{fmt.Sprintf("  per-op time at %d ÷ at 1000", last), fmt.Sprintf("%.2f", float64(per[last])/float64(per[1000])), "≤ 1.5"})
	return rows, nil
}

// emptyBoot: run with nothing pending on a journal holding many audit
// records, against starting `true`; and history --json over them.
func (b *bench) emptyBoot() ([]row, error) {
	records := 1000000
	if b.quick {
		records = 100000
	}
	c, err := b.sandbox(nil)
	if err != nil {
		return nil, err
	}
	jpath := filepath.Join(filepath.Dir(c), "journal.db")
	if err := fillJournal(jpath, records); err != nil {
		return nil, err
	}
	var runs, trues []time.Duration
	for i := 0; i < 31; i++ {
		d, _, _, err := b.smswork(c, "run")
		if err != nil {
			return nil, err
		}
		runs = append(runs, d)
		t, _, _, err := timed("true")
		if err != nil {
			return nil, err
		}
		trues = append(trues, t)
	}
	mr, mt := median(runs), median(trues)
	hist, lines, err := b.countLines(c, "history", "--json")
	if err != nil {
		return nil, err
	}
	return []row{
		{fmt.Sprintf("empty boot, %d records: median run", records), ms(mr), "< 20 ms"},
		{"  ÷ median `true`", fmt.Sprintf("%.1f (true: %s)", float64(mr)/float64(mt), ms(mt)), ""},
		{fmt.Sprintf("history --json over %d records", lines), fmt.Sprintf("%.0f records/s", float64(lines)/hist.Seconds()), "> 200,000/s"},
	}, nil
}

// countLines runs smswork on sandbox c and counts the lines it prints as
// they stream (nothing is held in memory), returning the wall time.
func (b *bench) countLines(c string, args ...string) (time.Duration, int, error) {
	full := append([]string{"--ini", filepath.Join(c, "SMS.INI"), "--journal", filepath.Join(filepath.Dir(c), "journal.db"),
		"--drive", "C=" + c, "--log-format", "json"}, args...)
	cmd := exec.Command(b.bin, full...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	lines := 0
	buf := make([]byte, 1<<20)
	for {
		n, rerr := out.Read(buf)
		lines += bytes.Count(buf[:n], []byte{'\n'})
		if rerr != nil {
			break
		}
	}
	if err := cmd.Wait(); err != nil {
		return 0, 0, fmt.Errorf("%s %v: %w", b.bin, args, err)
	}
	return time.Since(start), lines, nil
}

// fillJournal writes n committed operations and their audit records.
func fillJournal(path string, n int) error {
	j, err := journal.Open(path, journal.Options{Host: "bench", Version: "bench"})
	if err != nil {
		return err
	}
	defer func() { _ = j.Close() }()
	const batch = 10000
	now := time.Now()
	for done := 0; done < n; done += batch {
		err := j.Update(func(tx *journal.Tx) error {
			var es []journal.NewEntry
			for i := 0; i < batch; i++ {
				es = append(es, journal.NewEntry{Raw: fmt.Sprintf(`del c:\temp\f%d.tmp`, done+i),
					Op: ops.Op{Kind: ops.KindDel, Src: ops.Path{Drive: "C", Rel: fmt.Sprintf("temp/f%d.tmp", done+i)}}})
			}
			b, err := tx.Ingest("SMS.INI", now, es)
			if err != nil {
				return err
			}
			for s := b.FirstSeq; s < b.FirstSeq+uint64(batch); s++ {
				e, err := tx.Get(s)
				if err != nil {
					return err
				}
				if _, err := tx.Commit(e, ops.Result{Outcome: ops.Done, Start: now, End: now}, false, now); err != nil {
					return err
				}
			}
			return tx.ConfirmMirror(tx.NextSeq())
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// naive: the original's way (run each entry, rewrite SMS.INI, no journal,
// no fsync) on the same 1,000 copies then 1,000 dels, for the price of
// safety.
func (b *bench) naive() ([]row, error) {
	const n = 1000
	var entries []string
	for i := 0; i < n; i++ {
		entries = append(entries, fmt.Sprintf(`copy c:\src\f%d.txt c:\dst\f%d.txt`, i, i))
	}
	for i := 0; i < n; i++ {
		entries = append(entries, fmt.Sprintf(`del c:\src\f%d.txt`, i))
	}
	var times [2]time.Duration
	for k := range times {
		c, err := b.sandbox(entries)
		if err != nil {
			return nil, err
		}
		if err := smallFiles(c, n); err != nil {
			return nil, err
		}
		if k == 0 {
			script, err := filepath.Abs("bench/naive.sh")
			if err != nil {
				return nil, err
			}
			times[k], _, _, err = timed("bash", script, filepath.Join(c, "SMS.INI"), c)
			if err != nil {
				return nil, err
			}
		} else {
			times[k], _, _, err = b.smswork(c, "run")
			if err != nil {
				return nil, err
			}
		}
	}
	return []row{
		{"naive script (no journal, no fsync), 2000 ops: per op", ms(times[0] / (2 * n)), ""},
		{"smswork, same queue: per op", ms(times[1] / (2 * n)), ""},
		{"  price of safety (smswork ÷ naive)", fmt.Sprintf("%.1f", float64(times[1])/float64(times[0])), ""},
	}, nil
}
