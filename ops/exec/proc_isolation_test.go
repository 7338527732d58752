//go:build linux

package exec

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"smswork/ops"
)

// The claims of execRun, each checked on the program's side: no shell, a
// minimal explicit environment, no inherited descriptor, its own process
// group (the time limit killing that group is TestExecutor_RunTimeLimit).

// TestExecutor_RunNoInheritedFDs runs ls on /proc/self/fd as a run
// operation: it must hold 0, 1 and 2, and 3, the folder it reads, only.
// smswork holds, while it runs, a descriptor opened without close-on-exec
// (as one inherited from a parent, or opened by C code, would be): it must
// not reach the program either.
func TestExecutor_RunNoInheritedFDs(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	e, _ := exNew(t)
	leak, err := syscall.Open(filepath.Join(t.TempDir(), "leak"), syscall.O_CREAT|syscall.O_RDWR, 0o600) // no O_CLOEXEC
	if err != nil {
		t.Fatal(err)
	}
	defer syscall.Close(leak)
	res := runOp(t, e, "ls", "-l", "/proc/self/fd/")
	exWant(t, res, ops.Done)
	var fds []string
	for _, line := range strings.Split(res.Stdout, "\n") {
		if f := strings.Fields(line); len(f) >= 3 && f[len(f)-2] == "->" {
			fds = append(fds, f[len(f)-3])
		}
	}
	slices.Sort(fds)
	if !slices.Equal(fds, []string{"0", "1", "2", "3"}) {
		t.Errorf("the program holds descriptors %v, want 0 1 2 and 3 for the listing (smswork's stray one is %d)\n%s", fds, leak, res.Stdout)
	}
	if !strings.Contains(res.Stdout, " 0 -> /dev/null") || !strings.Contains(res.Stdout, " 3 -> /proc/") {
		t.Errorf("stdin is not the null device, or 3 is not the listing:\n%s", res.Stdout)
	}
}

// TestExecutor_RunOwnProcessGroup checks that the program leads a process
// group of its own, not smswork's.
func TestExecutor_RunOwnProcessGroup(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	e, _ := exNew(t)
	res := runOp(t, e, "sh", "-c", `echo $$; ps -o pgid= -p $$ 2>/dev/null || cut -d' ' -f5 /proc/$$/stat`)
	exWant(t, res, ops.Done)
	f := strings.Fields(res.Stdout)
	if len(f) != 2 {
		t.Fatalf("output %q", res.Stdout)
	}
	pid, _ := strconv.Atoi(f[0])
	pgid, _ := strconv.Atoi(f[1])
	if pgid != pid || pgid == syscall.Getpgrp() {
		t.Errorf("program pid %d in process group %d; smswork's group is %d", pid, pgid, syscall.Getpgrp())
	}
}

// TestExecutor_RunNoShell checks that an entry full of shell syntax runs
// its program with those words as plain arguments: nothing expanded,
// redirected, piped or chained.
func TestExecutor_RunNoShell(t *testing.T) {
	e, m := exNew(t)
	echo, err := lookPath("echo", envValue(MinimalEnv(), "PATH"))
	if err != nil {
		t.Skip(err)
	}
	pwned := filepath.Join(m["C"], "pwned")
	entry := `echo $HOME ; touch ` + pwned + ` && touch ` + pwned + ` | cat > ` + pwned + " `id` $(id) *"
	op, err := ops.Parse(entry)
	if err != nil {
		t.Fatal(err)
	}
	if op.Kind != ops.KindRun || op.Argv[0] != "echo" {
		t.Fatalf("parsed %+v", op)
	}
	res := runOp(t, e, op.Argv...)
	exWant(t, res, ops.Done)
	if want := strings.Join(op.Argv[1:], " ") + "\n"; res.Stdout != want {
		t.Errorf("%s printed %q, want its arguments untouched: %q", echo, res.Stdout, want)
	}
	if _, err := os.Lstat(pwned); err == nil {
		t.Error("a shell ran the entry: pwned exists")
	}
}

// TestExecutor_RunExactEnv checks that the environment is exactly
// MinimalEnv, whatever smswork's own holds.
func TestExecutor_RunExactEnv(t *testing.T) {
	e, _ := exNew(t)
	t.Setenv("LD_PRELOAD", "/nonexistent/evil.so")
	t.Setenv("SMSWORK_SECRET", "x")
	res := runOp(t, e, "env")
	exWant(t, res, ops.Done)
	got := strings.Split(strings.TrimSuffix(res.Stdout, "\n"), "\n")
	slices.Sort(got)
	want := slices.Sorted(slices.Values(MinimalEnv()))
	if !slices.Equal(got, want) {
		t.Errorf("environment %q, want %q", got, want)
	}
}

// TestExecutor_RunScopeReleased: a program runs while the drain's scope
// of the drives is open (from the operation's preparation to the end of
// its execution), but the scope holds no folder handle while it runs: the
// program may remove or rename any folder (on Windows an open handle
// stands in the way). The program lists smswork's descriptors: none may
// lead into the drive's folder the scope had open.
func TestExecutor_RunScopeReleased(t *testing.T) {
	e, m := exNew(t)
	exWrite(t, m["C"], "a/f.txt", "f")
	defer e.BeginScope()()
	if _, err := e.Drives.Lstat(exC("a/f.txt")); err != nil {
		t.Fatal(err)
	}
	res := runOp(t, e, "ls", "-l", "/proc/"+strconv.Itoa(os.Getpid())+"/fd/")
	exWant(t, res, ops.Done)
	if !strings.Contains(res.Stdout, " -> ") {
		t.Fatalf("no descriptors listed:\n%s", res.Stdout)
	}
	if held := filepath.Join(m["C"], "a"); strings.Contains(res.Stdout, held) {
		t.Errorf("smswork held %s open while the program ran:\n%s", held, res.Stdout)
	}
}
