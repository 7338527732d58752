package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"
)

// floorKinds are the operation kinds b.floor measures: how each of its
// entries is set up, and the design's floor, the sync calls one needs
// (cmd/smswork's TestSyncCounts gives the reason for each).
var floorKinds = []struct {
	name  string
	floor int
	setup func(c string, i int) (string, error)
}{
	{"copy", 4, func(c string, i int) (string, error) {
		return fmt.Sprintf(`copy c:\src\f%d.txt c:\dst\f%d.txt`, i, i), nil
	}},
	{"copy over", 5, func(c string, i int) (string, error) {
		return fmt.Sprintf(`copy c:\src\f%d.txt c:\dst\f%d.txt`, i, i),
			os.WriteFile(filepath.Join(c, "dst", fmt.Sprintf("f%d.txt", i)), []byte("old\n"), 0o644)
	}},
	{"del", 4, func(c string, i int) (string, error) { return fmt.Sprintf(`del c:\src\f%d.txt`, i), nil }},
	{"move", 5, func(c string, i int) (string, error) {
		return fmt.Sprintf(`move c:\src\f%d.txt c:\dst\f%d.txt`, i, i), nil
	}},
	{"md", 3, func(c string, i int) (string, error) { return fmt.Sprintf(`md c:\dst\d%d`, i), nil }},
	{"rd", 3, func(c string, i int) (string, error) {
		return fmt.Sprintf(`rd c:\dst\d%d`, i), os.Mkdir(filepath.Join(c, "dst", fmt.Sprintf("d%d", i)), 0o755)
	}},
	{"touch", 3, func(c string, i int) (string, error) { return fmt.Sprintf(`copy c:\src\f%d.txt+,,`, i), nil }},
}

// floor: per operation kind, the sync calls one operation makes (counted
// by strace in a run of its own) against the floor, and the time per
// operation (a run without strace) against the floor's time, the fsync
// latency times the floor's count.
func (b *bench) floor() ([]row, error) {
	strace, err := exec.LookPath("strace")
	if err != nil {
		return []row{{"sync calls per operation", "strace not installed", ""}}, nil
	}
	fsync, err := b.fsyncLatency()
	if err != nil {
		return nil, err
	}
	n := 1000
	if b.quick {
		n = 200
	}
	var rows []row
	for _, k := range floorKinds {
		sandbox := func() (string, error) {
			var entries []string
			c, err := b.sandbox(nil)
			if err != nil {
				return "", err
			}
			if err := smallFiles(c, n); err != nil {
				return "", err
			}
			for i := 0; i < n; i++ {
				e, err := k.setup(c, i)
				if err != nil {
					return "", err
				}
				entries = append(entries, e)
			}
			return c, b.writeQueue(c, entries)
		}
		c, err := sandbox()
		if err != nil {
			return nil, err
		}
		syncs, err := b.countSyncs(strace, c)
		if err != nil {
			return nil, err
		}
		if c, err = sandbox(); err != nil {
			return nil, err
		}
		d, _, _, err := b.smswork(c, "run")
		if err != nil {
			return nil, err
		}
		per := d / time.Duration(n)
		rows = append(rows,
			row{fmt.Sprintf("%s: sync calls per operation (floor %d)", k.name, k.floor), fmt.Sprintf("%.2f", float64(syncs)/float64(n)), fmt.Sprint(k.floor)},
			row{fmt.Sprintf("%s: time per operation ÷ floor's time (%d fsyncs)", k.name, k.floor), fmt.Sprintf("%.2f", float64(per)/float64(fsync*time.Duration(k.floor))), ""})
	}
	return rows, nil
}

// writeQueue rewrites sandbox c's SMS.INI to hold entries.
func (b *bench) writeQueue(c string, entries []string) error {
	return os.WriteFile(filepath.Join(c, "SMS.INI"), []byte("[SMS Work]\nPendingWork="+strings.Join(entries, ",")+"\n"), 0o644)
}

var syncCall = regexp.MustCompile(`^(\d+\s+)?(fsync|fdatasync)\(`)

// countSyncs runs smswork on sandbox c under strace and counts its fsync
// and fdatasync calls.
func (b *bench) countSyncs(strace, c string) (int, error) {
	out := filepath.Join(filepath.Dir(c), "strace.out")
	args := []string{"-f", "-qq", "-o", out, "-e", "trace=fsync,fdatasync", b.bin,
		"--ini", filepath.Join(c, "SMS.INI"), "--journal", filepath.Join(filepath.Dir(c), "journal.db"),
		"--drive", "C=" + c, "--log-format", "json", "run"}
	if _, _, _, err := timed(strace, args...); err != nil {
		return 0, err
	}
	f, err := os.Open(out)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	count := 0
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if syncCall.MatchString(sc.Text()) {
			count++
		}
	}
	return count, sc.Err()
}
