package main

import (
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// copyRounds is how many times each side of a copy comparison runs.
const copyRounds = 3

// largeCopy: smswork's copy of a large file against cp then sync, on the
// bench's folder (ext4 by default), then against cp --reflink=always on
// XFS and btrfs loop images (reflink.go).
//
// The comparison is made fair, since a first version measured cp + sync
// at three times smswork: the source is written and fsynced once, and
// before every run, of either side, it is read whole (so both find it in
// the page cache) and the whole system is synced (so neither side's fsync
// waits for someone else's dirty data, which ext4's ordered journal would
// make it write); both write to the same folder; the baseline is `cp SRC
// DST` then `sync DST`, an fsync of that one file as smswork does; the
// two sides alternate, each round starting with the other, and the
// median of copyRounds is kept. SHA-256 over the cached source alone is
// timed in the same run: smswork hashes the source while the kernel
// copies, and on two shared cores the hash is what bounds the ratio.
func (b *bench) largeCopy() ([]row, error) {
	size := int64(1 << 30)
	if b.quick {
		size = 256 << 20
	}
	label := fmt.Sprintf("%d MiB", size>>20)
	rows, err := b.copyCompare(b.dir, size, "cp", "", label+" (bench folder)")
	if err != nil {
		return nil, err
	}
	for _, fs := range []string{"xfs", "btrfs"} {
		r, err := b.reflinkCompare(fs, size, label)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r...)
	}
	return rows, nil
}

// copyCompare measures, in folder dir, cp (with cpFlag) then sync against
// smswork copying a file of size bytes, and the hash alone.
func (b *bench) copyCompare(dir string, size int64, cpName, cpFlag, label string) ([]row, error) {
	saved := b.dir
	b.dir = dir
	c, err := b.sandbox(nil)
	b.dir = saved
	if err != nil {
		return nil, err
	}
	src := filepath.Join(c, "big.bin")
	if err := writeBig(src, size); err != nil {
		return nil, err
	}
	dst := filepath.Join(c, "big-copy.bin")
	ini := filepath.Join(c, "SMS.INI")
	var bases, runs []time.Duration
	var rss int64
	for i := 0; i < 2*copyRounds; i++ {
		if err := readAndSync(src); err != nil {
			return nil, err
		}
		if (i%2 == 0) == (i/2%2 == 0) {
			d, _, _, err := timed("sh", "-c", fmt.Sprintf("cp %s %q %q && sync %q", cpFlag, src, dst, dst))
			if err != nil {
				return nil, err
			}
			bases = append(bases, d)
		} else {
			if err := os.WriteFile(ini, []byte("[SMS Work]\nPendingWork=copy c:\\big.bin c:\\big-copy.bin\n"), 0o644); err != nil {
				return nil, err
			}
			d, r, _, err := b.smswork(c, "run")
			if err != nil {
				return nil, err
			}
			runs = append(runs, d)
			rss = max(rss, r)
		}
		if err := os.Remove(dst); err != nil {
			return nil, err
		}
	}
	hash, err := hashTime(src)
	if err != nil {
		return nil, err
	}
	base, run := median(bases), median(runs)
	target := ""
	if cpFlag == "" {
		target = "≤ 1.10"
	}
	return []row{
		{"copy " + label + ": " + cpName + " + sync, median of 3", ms(base), ""},
		{"copy " + label + ": smswork, median of 3", ms(run), ""},
		{"  ratio smswork ÷ (" + cpName + " + sync)", fmt.Sprintf("%.2f", float64(run)/float64(base)), target},
		{"  SHA-256 of the cached source alone", fmt.Sprintf("%s (%.0f MB/s), %.0f%% of smswork's time", ms(hash),
			float64(size)/hash.Seconds()/1e6, 100*float64(hash)/float64(run)), ""},
		{"  smswork peak memory (RSS)", fmt.Sprintf("%.1f MiB", float64(rss)/(1<<20)), "< 64 MiB"},
	}, nil
}

// writeBig writes size bytes of a pattern that does not compress to path,
// and fsyncs it.
func writeBig(path string, size int64) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	block := make([]byte, 1<<20)
	for i := range block {
		block[i] = byte(i * 7919 >> 3)
	}
	for n := int64(0); n < size; n += int64(len(block)) {
		block[0]++
		if _, err := f.Write(block); err != nil {
			_ = f.Close()
			return err
		}
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	return f.Close()
}

// readAndSync reads path whole (into the page cache) and syncs the
// system, before each measured copy.
func readAndSync(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	_, _, _, err = timed("sync")
	return err
}

// hashTime is the time SHA-256 takes over path, read from the page cache
// through a 1 MiB buffer as smswork reads it: the median of three.
func hashTime(path string) (time.Duration, error) {
	var ds []time.Duration
	buf := make([]byte, 1<<20)
	for range 3 {
		f, err := os.Open(path)
		if err != nil {
			return 0, err
		}
		start := time.Now()
		_, err = io.CopyBuffer(sha256.New(), struct{ io.Reader }{f}, buf)
		ds = append(ds, time.Since(start))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return 0, err
		}
	}
	slices.Sort(ds)
	return ds[len(ds)/2], nil
}
