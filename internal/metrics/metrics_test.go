package metrics

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"smswork/ops"
)

var end = time.Date(2026, 11, 2, 3, 4, 5, 250_000_000, time.UTC)

func fullRun() *Run {
	return &Run{Version: "v1.2.3", GoVersion: "go1.26.8", End: end, Duration: 1500 * time.Millisecond, ExitStatus: 1,
		ThisRun: map[ops.Outcome]int{ops.Done: 2, ops.Failed: 1},
		State: &State{Totals: map[ops.Outcome]uint64{ops.Done: 40, ops.Failed: 3, ops.Held: 1, ops.Skipped: 1},
			Queued: 4, Interrupted: 0, Held: 1, RebootPending: 2, NotIngested: 2, JournalBytes: 65536, BackupBytes: 1024, BackupKeptBytes: 2048}}
}

const fullText = `# HELP smswork_build_info The smswork build that wrote this file: its version and Go version, value 1.
# TYPE smswork_build_info gauge
smswork_build_info{version="v1.2.3",goversion="go1.26.8"} 1
# HELP smswork_last_run_timestamp_seconds Unix time at which the last smswork run ended.
# TYPE smswork_last_run_timestamp_seconds gauge
smswork_last_run_timestamp_seconds 1793588645.25
# HELP smswork_last_run_duration_seconds How long the last smswork run took.
# TYPE smswork_last_run_duration_seconds gauge
smswork_last_run_duration_seconds 1.5
# HELP smswork_last_run_exit_status Exit status of the last smswork run: 0 nothing left to do, 1 an operation failed, 2 bad usage or input (nothing ran), 3 an operation is held for a decision, 3010 work waits for the reboot (Windows).
# TYPE smswork_last_run_exit_status gauge
smswork_last_run_exit_status 1
# HELP smswork_last_run_operations Audit records the last smswork run wrote, by outcome.
# TYPE smswork_last_run_operations gauge
smswork_last_run_operations{outcome="done"} 2
smswork_last_run_operations{outcome="already-done"} 0
smswork_last_run_operations{outcome="failed"} 1
smswork_last_run_operations{outcome="skipped"} 0
smswork_last_run_operations{outcome="held"} 0
smswork_last_run_operations{outcome="reboot-pending"} 0
smswork_last_run_operations{outcome="undone"} 0
smswork_last_run_operations{outcome="dropped"} 0
# HELP smswork_operations_total Audit records the journal has written since it was created, by outcome (a prune does not lower them).
# TYPE smswork_operations_total counter
smswork_operations_total{outcome="done"} 40
smswork_operations_total{outcome="already-done"} 0
smswork_operations_total{outcome="failed"} 3
smswork_operations_total{outcome="skipped"} 1
smswork_operations_total{outcome="held"} 1
smswork_operations_total{outcome="reboot-pending"} 0
smswork_operations_total{outcome="undone"} 0
smswork_operations_total{outcome="dropped"} 0
# HELP smswork_queued_operations Queue length: operations in the journal waiting to run.
# TYPE smswork_queued_operations gauge
smswork_queued_operations 4
# HELP smswork_interrupted_operations Operations with an intent marker and no commit marker (the next run finishes them).
# TYPE smswork_interrupted_operations gauge
smswork_interrupted_operations 0
# HELP smswork_held_operations Operations held for a decision (smswork resolve ID rerun|skip).
# TYPE smswork_held_operations gauge
smswork_held_operations 1
# HELP smswork_reboot_pending_operations Operations waiting for a reboot to finish: files in use handed to Windows' Session Manager (MoveFileEx, MOVEFILE_DELAY_UNTIL_REBOOT), confirmed by the next start.
# TYPE smswork_reboot_pending_operations gauge
smswork_reboot_pending_operations 2
# HELP smswork_journal_size_bytes Size of the journal file.
# TYPE smswork_journal_size_bytes gauge
smswork_journal_size_bytes 65536
# HELP smswork_backup_size_bytes Disk use of the backup folder (a file linked twice counted once).
# TYPE smswork_backup_size_bytes gauge
smswork_backup_size_bytes 1024
# HELP smswork_backup_kept_bytes Bytes of backups the journal keeps for finished batches, the measure --keep-backups bounds.
# TYPE smswork_backup_kept_bytes gauge
smswork_backup_kept_bytes 2048
# HELP smswork_not_ingested_entries Entries of SMS.INI's PendingWork the journal has not taken in (entries that do not parse, or appended since the run).
# TYPE smswork_not_ingested_entries gauge
smswork_not_ingested_entries 2
`

func TestFormat(t *testing.T) {
	noIni := fullRun()
	noIni.State.NotIngested = -1
	extra := fullRun()
	extra.State.Totals["checkpoint"] = 7 // never an operation
	extra.State.Totals["zz-future"] = 5
	extra.State.Totals["aa-future"] = 6
	odd := fullRun()
	odd.Version = "v1 \"quoted\" \\ back\nslash"
	tests := []struct {
		name string
		run  *Run
		// want is the whole text, or, when lines is set, lines it holds
		// and absent lines it does not.
		want          string
		lines, absent []string
	}{
		{name: "full", run: fullRun(), want: fullText},
		{name: "journal unreadable: the run's own metrics only",
			run: &Run{Version: "dev", GoVersion: "go1", End: time.Unix(1700000000, 0), Duration: 20 * time.Millisecond, ExitStatus: 2},
			want: `# HELP smswork_build_info The smswork build that wrote this file: its version and Go version, value 1.
# TYPE smswork_build_info gauge
smswork_build_info{version="dev",goversion="go1"} 1
# HELP smswork_last_run_timestamp_seconds Unix time at which the last smswork run ended.
# TYPE smswork_last_run_timestamp_seconds gauge
smswork_last_run_timestamp_seconds 1700000000
# HELP smswork_last_run_duration_seconds How long the last smswork run took.
# TYPE smswork_last_run_duration_seconds gauge
smswork_last_run_duration_seconds 0.02
# HELP smswork_last_run_exit_status Exit status of the last smswork run: 0 nothing left to do, 1 an operation failed, 2 bad usage or input (nothing ran), 3 an operation is held for a decision, 3010 work waits for the reboot (Windows).
# TYPE smswork_last_run_exit_status gauge
smswork_last_run_exit_status 2
# HELP smswork_last_run_operations Audit records the last smswork run wrote, by outcome.
# TYPE smswork_last_run_operations gauge
smswork_last_run_operations{outcome="done"} 0
smswork_last_run_operations{outcome="already-done"} 0
smswork_last_run_operations{outcome="failed"} 0
smswork_last_run_operations{outcome="skipped"} 0
smswork_last_run_operations{outcome="held"} 0
smswork_last_run_operations{outcome="reboot-pending"} 0
smswork_last_run_operations{outcome="undone"} 0
smswork_last_run_operations{outcome="dropped"} 0
`},
		{name: "SMS.INI unreadable: no not-ingested gauge", run: noIni,
			lines:  []string{"smswork_queued_operations 4"},
			absent: []string{"smswork_not_ingested_entries 2", "# TYPE smswork_not_ingested_entries gauge"}},
		{name: "other outcomes after the known ones, in order; no checkpoint", run: extra,
			lines:  []string{"smswork_operations_total{outcome=\"dropped\"} 0\nsmswork_operations_total{outcome=\"aa-future\"} 6\nsmswork_operations_total{outcome=\"zz-future\"} 5\n"},
			absent: []string{"checkpoint"}},
		{name: "label values escaped", run: odd,
			lines: []string{`smswork_build_info{version="v1 \"quoted\" \\ back\nslash",goversion="go1.26.8"} 1` + "\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Format(&buf, tt.run); err != nil {
				t.Fatal(err)
			}
			got := buf.String()
			if tt.want != "" && got != tt.want {
				t.Fatalf("got\n%s\nwant\n%s", got, tt.want)
			}
			for _, l := range tt.lines {
				if !strings.Contains(got, l) {
					t.Errorf("missing %q in\n%s", l, got)
				}
			}
			for _, l := range tt.absent {
				if strings.Contains(got, l) {
					t.Errorf("unexpected %q in\n%s", l, got)
				}
			}
		})
	}
}

// TestFormat_Conventions checks the names against Prometheus's
// conventions, and that every sample follows its family's TYPE line.
func TestFormat_Conventions(t *testing.T) {
	var buf bytes.Buffer
	if err := Format(&buf, fullRun()); err != nil {
		t.Fatal(err)
	}
	typeLine := regexp.MustCompile(`^# TYPE (smswork_[a-z_]+) (gauge|counter)$`)
	sampleLine := regexp.MustCompile(`^(smswork_[a-z_]+)(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? -?[0-9.]+$`)
	var current, typ string
	types := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
		switch {
		case strings.HasPrefix(line, "# TYPE "):
			m := typeLine.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("bad TYPE line %q", line)
			}
			current, typ = m[1], m[2]
			if types[current] != "" {
				t.Errorf("%s typed twice", current)
			}
			types[current] = typ
			if strings.HasSuffix(current, "_total") != (typ == counter) {
				t.Errorf("%s: _total is for counters, and counters end in _total", current)
			}
			if strings.Contains(current, "_seconds") && !strings.HasSuffix(current, "_seconds") ||
				strings.Contains(current, "_bytes") && !strings.HasSuffix(current, "_bytes") {
				t.Errorf("%s: the unit ends the name", current)
			}
		case strings.HasPrefix(line, "#"):
		default:
			m := sampleLine.FindStringSubmatch(line)
			if m == nil || m[1] != current {
				t.Errorf("sample %q is not in family %s", line, current)
			}
		}
	}
	if len(types) != 14 {
		t.Errorf("%d families, want 14", len(types))
	}
}

// TestFormat_Promtool runs Prometheus's own linter on the output, where it
// is installed (CI installs it, and also checks a real run's file).
func TestFormat_Promtool(t *testing.T) {
	promtool, err := exec.LookPath("promtool")
	if err != nil {
		t.Skip("promtool is not installed (Debian: apt-get install prometheus); CI installs it")
	}
	for _, r := range []*Run{fullRun(), {Version: "dev", End: end}} {
		var buf bytes.Buffer
		if err := Format(&buf, r); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(promtool, "check", "metrics")
		cmd.Stdin = &buf
		if out, err := cmd.CombinedOutput(); err != nil || len(bytes.TrimSpace(out)) > 0 {
			t.Fatalf("promtool check metrics: %v\n%s", err, out)
		}
	}
}

func TestWriteFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "smswork.prom")
	if err := WriteFile(path, &Run{Version: "first", End: end}); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(path, fullRun()); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != fullText {
		t.Fatalf("the second write did not replace the first:\n%s", data)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Fatalf("the folder holds %v, want the metrics file alone", entries)
	}
	if fi, err := os.Stat(path); err != nil {
		t.Fatal(err)
	} else if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, want 0644 for the collector to read", fi.Mode().Perm())
	}

	missing := filepath.Join(dir, "no-such-folder", "smswork.prom")
	err = WriteFile(missing, fullRun())
	if !errors.Is(err, os.ErrNotExist) || !strings.Contains(err.Error(), missing) {
		t.Fatalf("a write into a missing folder: %v, want a not-exist error naming %s", err, missing)
	}
}
