//go:build !windows

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// blockedRun starts `smswork run` on a queue whose second entry is a
// program that writes "started" into a FIFO and then waits for a line on
// a second one; it returns once that program runs (its first write is the
// synchronisation: a FIFO's reader blocks until the writer opens it), and
// a function that lets the program finish and returns run's exit status
// and output.
func blockedRun(t *testing.T, b *box, extra ...string) (release func() (int, string, string), cmd *exec.Cmd) {
	t.Helper()
	started, gate := filepath.Join(b.dir, "started"), filepath.Join(b.dir, "gate")
	for _, p := range []string{started, gate} {
		if err := syscall.Mkfifo(p, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	prog := fmt.Sprintf(`sh -c "echo started > %s; read x < %s"`, started, gate)
	if err := os.WriteFile(b.ini, []byte("[SMS Work]\nPendingWork=md c:\\first, "+prog+", md c:\\last\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"--ini", b.ini, "--journal", b.journal, "--drive", "C=" + b.c, "--log-format", "json", "run"}, extra...)
	cmd = exec.Command(binPath, args...)
	cmd.Env = append(os.Environ(), "SMSWORK_CONFIG="+b.conf)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := false
	t.Cleanup(func() {
		if !done {
			_ = cmd.Process.Kill()
			_ = cmd.Wait()
		}
	})
	f, err := os.Open(started) // blocks until the program opens it
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.ReadAll(f); err != nil {
		t.Fatal(err)
	}
	_ = f.Close()
	return func() (int, string, string) {
		g, err := os.OpenFile(gate, os.O_WRONLY, 0)
		if err == nil {
			_, _ = g.WriteString("go\n")
			_ = g.Close()
		}
		werr := cmd.Wait()
		done = true
		var ee *exec.ExitError
		if werr != nil && !errors.As(werr, &ee) {
			t.Fatal(werr)
		}
		return cmd.ProcessState.ExitCode(), out.String(), errb.String()
	}, cmd
}

// TestStatus_DuringRun (problem 6): while a run holds the journal, status
// and history still answer, saying a run is in progress and how far it is.
func TestStatus_DuringRun(t *testing.T) {
	b := newBox(t, "", nil)
	release, _ := blockedRun(t, b)
	code, out, stderr := b.smswork("status")
	if code == exitLocked || !strings.Contains(out, "a run is in progress") || !strings.Contains(out, "1 done, 0 failed, 0 held, 2 remaining") ||
		!strings.Contains(out, "(batch 1, entry 2)") {
		t.Errorf("status during a run: exit %d\n%s%s", code, out, stderr)
	}
	if code != exitWaiting {
		t.Errorf("status during a run with work left: exit %d, want %d", code, exitWaiting)
	}
	code, out, stderr = b.smswork("history")
	if code != 0 || !strings.Contains(out+stderr, "a run is in progress") || !strings.Contains(out, `md c:\first`) {
		t.Errorf("history during a run: exit %d\n%s%s", code, out, stderr)
	}
	code, out, stderr = b.smswork("plan")
	if code == exitLocked || !strings.Contains(out+stderr, "a run is in progress") {
		t.Errorf("plan during a run: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, stderr := release(); code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
	}
	code, out, _ = b.smswork("status")
	if code != 0 || strings.Contains(out, "a run is in progress") || !strings.Contains(out, "last run: ") {
		t.Errorf("status after the run: exit %d\n%s", code, out)
	}
}

// TestRun_SIGTERM (problem 7): a run stopped by SIGTERM (systemctl stop,
// a shutdown) says so, not "deadline reached"; what was not done stays
// queued.
func TestRun_SIGTERM(t *testing.T) {
	b := newBox(t, "", nil)
	_, cmd := blockedRun(t, b)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var out, errb string
	func() {
		werr := cmd.Wait()
		var ee *exec.ExitError
		if werr != nil && !errors.As(werr, &ee) {
			t.Fatal(werr)
		}
		out, errb = cmd.Stdout.(*bytes.Buffer).String(), cmd.Stderr.(*bytes.Buffer).String()
	}()
	if code := cmd.ProcessState.ExitCode(); code != exitFailed {
		t.Errorf("run stopped by SIGTERM: exit %d, want %d", code, exitFailed)
	}
	if !strings.Contains(out+errb, "SIGTERM") || strings.Contains(out+errb, "deadline") {
		t.Errorf("the output does not say SIGTERM, or speaks of a deadline:\n%s%s", out, errb)
	}
	if b.exists("last") || !strings.Contains(b.read("SMS.INI"), `md c:\last`) {
		t.Error("the entry after the stopped one ran, or left the queue")
	}
}

// TestRun_DeadlineMessage (problem 7): a program killed at the run's
// --deadline is said to be, not "killed at its time limit of 10m0s".
func TestRun_DeadlineMessage(t *testing.T) {
	b := newBox(t, "[SMS Work]\nPendingWork=sleep 60, md c:\\later\n", nil)
	start := time.Now()
	code, out, stderr := b.smswork("run", "--deadline", "1s")
	if code != exitFailed || time.Since(start) > 30*time.Second {
		t.Fatalf("exit %d after %s\n%s%s", code, time.Since(start), out, stderr)
	}
	all := out + stderr
	if strings.Contains(all, "time limit of 10m0s") || !strings.Contains(all, "--deadline 1s") {
		t.Errorf("the message does not name the run's deadline:\n%s", all)
	}
}
