//go:build !windows

package exec

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"smswork/ops"
)

func runOp(t *testing.T, e *Executor, argv ...string) ops.Result {
	t.Helper()
	op := &ops.Op{Kind: ops.KindRun, Argv: argv}
	in, err := e.Prepare(op, 1)
	if err != nil {
		t.Fatal(err)
	}
	return e.Execute(context.Background(), op, in, nil)
}

func TestExecutor_Run(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	e, m := exNew(t)
	t.Run("exit 0", func(t *testing.T) {
		res := runOp(t, e, "sh", "-c", "echo out; echo err >&2; pwd")
		exWant(t, res, ops.Done)
		if res.ExitCode != 0 || res.Stdout != "out\n/\n" || res.Stderr != "err\n" || res.Truncated {
			t.Errorf("result %+v", res)
		}
	})
	t.Run("exit 3", func(t *testing.T) {
		res := runOp(t, e, "sh", "-c", "exit 3")
		exWant(t, res, ops.Failed)
		if res.ExitCode != 3 || res.Err != "sh: exit status 3" {
			t.Errorf("result %+v", res)
		}
	})
	t.Run("bounded output", func(t *testing.T) {
		e := &Executor{Drives: e.Drives, MaxOutput: 1000}
		res := runOp(t, e, "sh", "-c", "head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2; echo done >&2")
		exWant(t, res, ops.Done)
		if len(res.Stdout) != 1000 || len(res.Stderr) != 1000 || !res.Truncated {
			t.Errorf("stdout %d stderr %d truncated %v", len(res.Stdout), len(res.Stderr), res.Truncated)
		}
	})
	t.Run("minimal environment", func(t *testing.T) {
		t.Setenv("SMSWORK_TEST_SECRET", "leak")
		res := runOp(t, e, "env")
		exWant(t, res, ops.Done)
		if strings.Contains(res.Stdout, "SMSWORK_TEST_SECRET") || !strings.Contains(res.Stdout, "LANG=C") ||
			!strings.Contains(res.Stdout, "PATH=/usr/local/sbin:") {
			t.Errorf("env:\n%s", res.Stdout)
		}
	})
	t.Run("program on a drive", func(t *testing.T) {
		p := exWrite(t, m["C"], "bin/hello.sh", "#!/bin/sh\necho hello from \"$(pwd)\"\n")
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
		res := runOp(t, e, `C:\BIN\HELLO.SH`)
		exWant(t, res, ops.Done)
		want, _ := filepath.EvalSymlinks(m["C"])
		if strings.TrimSpace(res.Stdout) != "hello from "+want && strings.TrimSpace(res.Stdout) != "hello from "+m["C"] {
			t.Errorf("stdout %q, want the drive root %s", res.Stdout, m["C"])
		}
	})
}

// TestExecutor_RunTimeLimit checks that the time limit kills the program's
// whole process tree: the grandchild too, found by the pid the script
// wrote.
func TestExecutor_RunTimeLimit(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	e, _ := exNew(t)
	e.OpTimeout = 700 * time.Millisecond
	pidFile := filepath.Join(t.TempDir(), "pids")
	op := &ops.Op{Kind: ops.KindRun,
		Argv: []string{"sh", "-c", "sleep 60 & echo $$ $! > " + pidFile + "; sleep 60"}}
	start := time.Now()
	res := e.Execute(context.Background(), op, &ops.Intent{}, nil)
	if res.Outcome != ops.Failed || !res.TimedOut || res.ExitCode != -1 {
		t.Fatalf("result %+v", res)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Errorf("took %s", d)
	}
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range strings.Fields(string(b)) {
		pid, err := strconv.Atoi(f)
		if err != nil {
			t.Fatal(err)
		}
		waitGone(t, pid)
	}
}

// waitGone polls, up to a deadline, until pid no longer runs (gone, or a
// zombie waiting for its reaper).
func waitGone(t *testing.T, pid int) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := syscall.Kill(pid, 0)
		if errors.Is(err, syscall.ESRCH) {
			return
		}
		if st, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat"); err == nil {
			if i := strings.LastIndexByte(string(st), ')'); i > 0 && strings.HasPrefix(string(st[i+1:]), " Z") {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("process %d still runs after the time limit", pid)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
