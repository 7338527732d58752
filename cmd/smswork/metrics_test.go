package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"smswork/journal"
)

// metricsOf reads the metrics file and returns its samples by name and
// labels, as written ("smswork_operations_total{outcome=\"done\"}").
func metricsOf(t *testing.T, path string) map[string]float64 {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	promtoolCheck(t, data)
	m := map[string]float64{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		m[line[:i]] = v
	}
	return m
}

// promtoolCheck lints a metrics file with Prometheus's promtool, where it
// is installed (CI installs it).
func promtoolCheck(t *testing.T, data []byte) {
	t.Helper()
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		return
	}
	cmd := exec.Command(promtool, "check", "metrics")
	cmd.Stdin = bytes.NewReader(data)
	if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
		t.Fatalf("promtool check metrics: %v\n%s\n%s", err, out, data)
	}
}

func wantMetrics(t *testing.T, got map[string]float64, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
}

// TestRun_MetricsFile runs the binary: a failing run, the same again, one
// refused for its permissions, one refused because another smswork holds
// the journal, and one whose journal cannot be read.
func TestRun_MetricsFile(t *testing.T) {
	b := newBox(t, "[SMS Work]\nPendingWork=md c:\\x, copy c:\\missing.dll c:\\y.dll\n", nil)
	prom := filepath.Join(b.dir, "smswork.prom")
	run := func(want int) map[string]float64 {
		t.Helper()
		code, _, stderr := b.smswork("--metrics-file", prom, "run")
		if code != want {
			t.Fatalf("run: exit %d, want %d\n%s", code, want, stderr)
		}
		return metricsOf(t, prom)
	}
	done, failed := `{outcome="done"}`, `{outcome="failed"}`

	m := run(1)
	fi, err := os.Stat(b.journal)
	if err != nil {
		t.Fatal(err)
	}
	wantMetrics(t, m, map[string]float64{
		"smswork_last_run_exit_status": 1, "smswork_last_run_operations" + done: 1, "smswork_last_run_operations" + failed: 1,
		"smswork_operations_total" + done: 1, "smswork_operations_total" + failed: 1,
		"smswork_queued_operations": 1, "smswork_held_operations": 0, "smswork_interrupted_operations": 0,
		"smswork_reboot_pending_operations": 0, "smswork_not_ingested_entries": 0,
		"smswork_journal_size_bytes": float64(fi.Size()),
	})
	// The build's version, as --version says it.
	_, vout, _ := b.smswork("--version")
	version := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(vout), "smswork version "))
	wantMetrics(t, m, map[string]float64{`smswork_build_info{version="` + version + `",goversion="` + runtime.Version() + `"}`: 1})
	if m["smswork_last_run_timestamp_seconds"] <= 0 || m["smswork_last_run_duration_seconds"] <= 0 {
		t.Errorf("run time %v, duration %v", m["smswork_last_run_timestamp_seconds"], m["smswork_last_run_duration_seconds"])
	}

	// The same failure again: this run's counts, and the totals growing.
	m = run(1)
	wantMetrics(t, m, map[string]float64{
		"smswork_last_run_operations" + done: 0, "smswork_last_run_operations" + failed: 1,
		"smswork_operations_total" + done: 1, "smswork_operations_total" + failed: 2, "smswork_queued_operations": 1,
	})

	// Refused (others can write SMS.INI): exit 2, nothing ran, the
	// journal's state still reported.
	if err := os.Chmod(b.ini, 0o666); err != nil {
		t.Fatal(err)
	}
	m = run(2)
	wantMetrics(t, m, map[string]float64{
		"smswork_last_run_exit_status": 2, "smswork_last_run_operations" + failed: 0,
		"smswork_operations_total" + failed: 2, "smswork_queued_operations": 1,
	})
	if err := os.Chmod(b.ini, 0o644); err != nil {
		t.Fatal(err)
	}

	// Another smswork holds the journal: the file is left to it.
	before, err := os.ReadFile(prom)
	if err != nil {
		t.Fatal(err)
	}
	j, err := journal.Open(b.journal, journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	code, _, stderr := b.smswork("--metrics-file", prom, "run")
	if cerr := j.Close(); cerr != nil {
		t.Fatal(cerr)
	}
	if code != exitLocked || !strings.Contains(stderr, "another smswork holds the journal") {
		t.Fatalf("run while the journal is held: exit %d\n%s", code, stderr)
	}
	if after, err := os.ReadFile(prom); err != nil || !bytes.Equal(after, before) {
		t.Fatalf("the metrics file changed while another smswork held the journal (%v)", err)
	}

	// A journal that cannot be read: the run's own metrics, no others.
	if err := os.WriteFile(b.journal, bytes.Repeat([]byte("not bbolt"), 8192), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = b.smswork("--metrics-file", prom, "run")
	if code == 0 {
		t.Fatalf("run on a damaged journal exited 0\n%s", stderr)
	}
	m = metricsOf(t, prom)
	wantMetrics(t, m, map[string]float64{"smswork_last_run_exit_status": float64(code), "smswork_last_run_operations" + done: 0})
	if _, ok := m["smswork_queued_operations"]; ok {
		t.Errorf("a damaged journal's queue reported: %v", m)
	}
	if !strings.Contains(stderr, "the journal could not be read") {
		t.Errorf("no warning that the journal could not be read:\n%s", stderr)
	}
}

// TestRun_MetricsFileNotWritable: a metrics file that cannot be written is
// a warning; the run's own exit status stands.
func TestRun_MetricsFileNotWritable(t *testing.T) {
	b := newBox(t, "[SMS Work]\nPendingWork=md c:\\x\n", nil)
	prom := filepath.Join(b.dir, "no-such-folder", "smswork.prom")
	code, _, stderr := b.smswork("--metrics-file", prom, "run")
	if code != 0 || !b.exists("x") {
		t.Fatalf("run: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stderr, `"level":"warn"`) || !strings.Contains(stderr, prom) {
		t.Fatalf("no warning naming %s:\n%s", prom, stderr)
	}
}
