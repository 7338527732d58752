package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"smswork/internal/fsroot"
)

// runSync: the cost of making a run operation's effects durable before its
// commit (fsroot.SyncFileSystems after the program exits: syncfs of each
// file system of the drives and the journal on Linux). A queue of run
// operations whose program appends a line to a file without syncing it,
// run by the real binary and by the same binary built with the sync
// stubbed out (-overlay; the product has no way to turn it off), in
// alternating rounds; and the sync alone, after a one-line append.
func (b *bench) runSync() ([]row, error) {
	if _, err := exec.LookPath("sh"); err != nil || runtime.GOOS == "windows" {
		return []row{{"run operation's sync", "not measured: no sh", ""}}, nil
	}
	stubbed, err := b.buildWithoutRunSync()
	if err != nil {
		return nil, err
	}
	n := 200
	if b.quick {
		n = 50
	}
	per := map[string][]time.Duration{}
	for round := 0; round < 3; round++ {
		for _, v := range []struct{ name, bin string }{{"with", b.bin}, {"without", stubbed}} {
			// The program is on drive C, so it runs in C's root and
			// appends to C:\counter.
			entries := make([]string, n)
			for i := range entries {
				entries[i] = `c:\append.sh`
			}
			c, err := b.sandbox(entries)
			if err != nil {
				return nil, err
			}
			if err := os.WriteFile(filepath.Join(c, "append.sh"), []byte("#!/bin/sh\necho x >> counter\n"), 0o755); err != nil {
				return nil, err
			}
			saved := b.bin
			b.bin = v.bin
			d, _, _, err := b.smswork(c, "run")
			b.bin = saved
			if err != nil {
				return nil, err
			}
			data, err := os.ReadFile(filepath.Join(c, "counter"))
			if err != nil || strings.Count(string(data), "\n") != n {
				return nil, fmt.Errorf("run sync bench: the programs ran %d times, want %d (%v)", strings.Count(string(data), "\n"), n, err)
			}
			per[v.name] = append(per[v.name], d/time.Duration(n))
		}
	}
	with, without := median(per["with"]), median(per["without"])
	alone, err := b.syncAlone()
	if err != nil {
		return nil, err
	}
	return []row{
		{fmt.Sprintf("%d run ops (sh appending a line): per op, with the sync", n), ms(with), ""},
		{"  same, a build with the sync stubbed out", ms(without), ""},
		{"  cost of the sync per run op (difference; ratio)", fmt.Sprintf("%s; %.2f", ms(with-without), float64(with)/float64(without)), ""},
		{"  syncfs alone after a one-line append (median)", ms(alone), ""},
	}, nil
}

// syncAlone is the median time of fsroot.SyncFileSystems on the bench's
// folder right after a line is appended to a file there.
func (b *bench) syncAlone() (time.Duration, error) {
	p := filepath.Join(b.dir, "sync-alone")
	var ds []time.Duration
	for i := 0; i < 100; i++ {
		f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err != nil {
			return 0, err
		}
		_, err = f.WriteString("x\n")
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return 0, err
		}
		start := time.Now()
		if err := fsroot.SyncFileSystems([]string{b.dir}); err != nil {
			return 0, err
		}
		ds = append(ds, time.Since(start))
	}
	return median(ds), nil
}

// buildWithoutRunSync builds smswork with fsroot's platform sync replaced
// by one that does nothing (-overlay: the source is not touched), for the
// baseline of runSync only.
func (b *bench) buildWithoutRunSync() (string, error) {
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "smswork/internal/fsroot").Output()
	if err != nil {
		return "", fmt.Errorf("go list: %w", err)
	}
	name := "syncfs_other.go"
	switch runtime.GOOS {
	case "linux", "windows":
		name = "syncfs_" + runtime.GOOS + ".go"
	}
	target := filepath.Join(strings.TrimSpace(string(out)), name)
	stub := filepath.Join(b.dir, "nosync.go")
	if err := os.WriteFile(stub, []byte("package fsroot\n\nfunc syncFileSystems([]string) error { return nil }\n"), 0o644); err != nil {
		return "", err
	}
	overlay := filepath.Join(b.dir, "nosync-overlay.json")
	if err := os.WriteFile(overlay, fmt.Appendf(nil, `{"Replace":{%q:%q}}`, target, stub), 0o644); err != nil {
		return "", err
	}
	bin := filepath.Join(b.dir, "smswork-nosync")
	if out, err := exec.Command("go", "build", "-overlay", overlay, "-o", bin, "smswork/cmd/smswork").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build smswork without the run sync: %v\n%s", err, out)
	}
	return bin, nil
}
