//go:build !windows

package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestRun_DeadlineBoundsHungProgram: a run operation that hangs is killed
// with its children at --deadline, the process exits in bounded time, and
// the entry and every later one stay queued for the next boot.
func TestRun_DeadlineBoundsHungProgram(t *testing.T) {
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "sleep.pid")
	hung := `sh -c "sleep 600 & echo $! > ` + pidFile + `; wait"`
	ini := "[SMS Work]\nPendingWork=" + hung + ", md c:\\later\n"
	b := newBox(t, ini, nil)

	start := time.Now()
	code, out, stderr := b.smswork("run", "--deadline", "2s")
	elapsed := time.Since(start)
	if code != exitFailed {
		t.Errorf("exit %d, want %d\n%s%s", code, exitFailed, out, stderr)
	}
	// 2s of deadline, then a kill and the journal's commit: 10s is generous.
	if elapsed > 10*time.Second {
		t.Errorf("run took %s with --deadline 2s", elapsed)
	}
	if got := b.read("SMS.INI"); got != ini {
		t.Errorf("SMS.INI after the deadline:\n%q\nwant it unchanged:\n%q", got, ini)
	}
	if b.exists("later") {
		t.Error("an entry after the hung one ran")
	}
	data, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatalf("the program never started: %v", err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
	if err != nil {
		t.Fatal(err)
	}
	// SIGKILL went to the whole process group before smswork exited; give
	// the kernel a bounded moment to finish the sleep off.
	for deadline := time.Now().Add(5 * time.Second); processAlive(pid); {
		if time.Now().After(deadline) {
			_ = syscall.Kill(pid, syscall.SIGKILL)
			t.Fatalf("the program's child %d outlived the deadline", pid)
		}
		time.Sleep(10 * time.Millisecond) // polling a state we do not own
	}
}

// processAlive says whether pid exists and is not a zombie waiting for a
// parent that is not us.
func processAlive(pid int) bool {
	data, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return syscall.Kill(pid, 0) == nil
	}
	s := string(data)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || len(s) < i+3 || s[i+2] != 'Z'
}

// TestRun_LogFile: --log-file appends JSON lines, each operation's start
// and end carrying batch and position, and never a program's output.
func TestRun_LogFile(t *testing.T) {
	b := newBox(t, "[SMS Work]\nPendingWork=md c:\\a, sh -c \"echo s3cr3t-$((6*7))\"\n", nil)
	logFile := filepath.Join(b.dir, "smswork.log")
	if err := os.WriteFile(logFile, []byte(`{"message":"earlier"}`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, stderr := b.smswork("run", "--log-file", logFile); code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
	}
	data, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "s3cr3t-42") {
		t.Error("a program's output reached the log")
	}
	var starts, ends int
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for i := 0; sc.Scan(); i++ {
		var ev map[string]any
		if err := json.Unmarshal(sc.Bytes(), &ev); err != nil {
			t.Fatalf("line %d not JSON: %q", i+1, sc.Text())
		}
		if i == 0 && ev["message"] != "earlier" {
			t.Error("the log file was not appended to")
		}
		switch ev["message"] {
		case "start", "end":
			if ev["batch"] == nil || ev["pos"] == nil {
				t.Errorf("%s event without batch and position: %s", ev["message"], sc.Text())
			}
			if ev["message"] == "start" {
				starts++
			} else {
				ends++
			}
		}
	}
	if starts != 2 || ends != 2 {
		t.Errorf("%d start and %d end events, want 2 each:\n%s", starts, ends, data)
	}
	fi, err := os.Stat(logFile)
	if err != nil || fi.Mode().Perm()&0o027 != 0 {
		t.Errorf("log file mode %v, %v", fi.Mode(), err)
	}
}

// TestSystemdUnit_ExecStart runs the ExecStart line of the shipped unit,
// as systemd would (with the binary under test in place of the installed
// path, the shipped configuration file, the sandbox's paths appended), and
// sees a queued entry run; the deadline is the configuration file's, not a
// flag the configuration could not override.
func TestSystemdUnit_ExecStart(t *testing.T) {
	unit := filepath.Join("..", "..", "dist", "systemd", "smswork.service")
	argv := unitExecStart(t, unit)
	if argv[0] != "/usr/local/sbin/smswork" || len(argv) != 2 || argv[1] != "run" {
		t.Fatalf("ExecStart %q: want /usr/local/sbin/smswork run, every setting in the configuration file", argv)
	}
	b := newBox(t, "[SMS Work]\nPendingWork=copy c:\\temp\\new.dll c:\\lib\\x.dll\n", map[string]string{"temp/new.dll": "new", "lib/old.dll": "old"})
	args := append(argv[1:], "--ini", b.ini, "--journal", b.journal, "--drive", "C="+b.c)
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), "SMSWORK_CONFIG="+shippedConf)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	if b.read("lib/x.dll") != "new" {
		t.Error("the queued copy did not run")
	}
	if got := b.read("SMS.INI"); got != "[SMS Work]\nPendingWork=\n" {
		t.Errorf("SMS.INI after the unit's run: %q", got)
	}
	cmd = exec.Command(binPath, "config")
	cmd.Env = append(os.Environ(), "SMSWORK_CONFIG="+shippedConf)
	if out, err = cmd.Output(); err != nil || !regexp.MustCompile(`(?m)^run\.deadline +5m0s +`+regexp.QuoteMeta(shippedConf)+`:\d+$`).Match(out) {
		t.Errorf("the shipped configuration does not give the boot run its deadline: %v\n%s", err, out)
	}
}
