package crashtest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// StraceSyscalls are the durability-relevant system calls a process crash
// is injected before: every write of data, every sync, every change of a
// folder's entries. openat cannot be told apart by its O_CREAT flag in
// strace's filter, so every open is a crash point.
var StraceSyscalls = []string{
	"write", "pwrite64", "fsync", "fdatasync", "rename", "renameat", "renameat2",
	"unlinkat", "mkdirat", "openat", "ftruncate",
}

// straceBase is strace's common prefix: follow the threads of smswork (-f)
// but not the programs its run operations start (--detach-on=execve:
// strace does not detach from the program it starts itself), and write
// nothing.
func straceBase() []string {
	return []string{"strace", "-f", "--detach-on=execve", "-o", "/dev/null"}
}

// KillBefore is a RunWrapped wrapper that kills smswork with SIGKILL on
// entry to the n-th call of syscall (counted per thread: exact for a
// binary built by BuildLockedBinary). The call never runs.
func KillBefore(syscall string, n int) []string {
	return append(straceBase(), "-e", "trace="+syscall,
		"-e", fmt.Sprintf("inject=%s:signal=KILL:when=%d", syscall, n))
}

// SkipSyncOf is a RunWrapped wrapper that makes every fsync of the given
// paths (folders, say) return success without syncing anything: the
// product's own code, with those syncs missing. strace applies the
// injection only to calls on the paths given with -P.
func SkipSyncOf(paths ...string) []string {
	w := append(straceBase(), "-e", "trace=fsync,fdatasync", "-e", "inject=fsync,fdatasync:retval=0")
	for _, p := range paths {
		w = append(w, "-P", p)
	}
	return w
}

// SkipSyncfs is a RunWrapped wrapper that makes every syncfs return
// success without syncing anything: the product with the sync of a run
// operation's effects (fsroot.SyncFileSystems, after the program exits
// and before its commit) missing, as before that sync was added.
func SkipSyncfs() []string {
	return append(straceBase(), "-e", "trace=syncfs", "-e", "inject=syncfs:retval=0")
}

// straceLine matches "PID name(" at the start of a line of strace -f
// output; "<... name resumed>" lines do not match.
var straceLine = regexp.MustCompile(`^(\d+)\s+([a-z0-9_]+)\(`)

// CountSyscalls runs smswork in s under strace, without a crash, and
// returns for each of StraceSyscalls the largest number of calls one
// thread made: the range of N for KillBefore.
func CountSyscalls(s *Sandbox, env []string, args ...string) (map[string]int, Outcome, error) {
	return CountSyscallsOf(s, StraceSyscalls, env, args...)
}

// CountSyscallsOf is CountSyscalls for the system calls named in names.
func CountSyscallsOf(s *Sandbox, names []string, env []string, args ...string) (map[string]int, Outcome, error) {
	f, err := os.CreateTemp("", "smswork-strace-")
	if err != nil {
		return nil, Outcome{}, err
	}
	name := f.Name()
	_ = f.Close()
	defer func() { _ = os.Remove(name) }()
	wrapper := []string{"strace", "-f", "--detach-on=execve", "-o", name, "-e", "trace=" + strings.Join(names, ",")}
	o, err := s.RunWrapped(wrapper, env, args...)
	if err != nil {
		return nil, o, err
	}
	out, err := os.Open(name)
	if err != nil {
		return nil, o, err
	}
	defer func() { _ = out.Close() }()
	perThread := map[[2]string]int{}
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if m := straceLine.FindStringSubmatch(sc.Text()); m != nil {
			perThread[[2]string{m[1], m[2]}]++
		}
	}
	counts := map[string]int{}
	for k, n := range perThread {
		counts[k[1]] = max(counts[k[1]], n)
	}
	return counts, o, sc.Err()
}

// BuildLockedBinary builds smswork into dir with one file added through
// -overlay (the product's source is not touched): an init function that
// locks the main goroutine to the main thread, so that strace's per-thread
// call counter counts the executor's calls exactly.
func BuildLockedBinary(dir string) (string, error) {
	src := filepath.Join(dir, "lockthread.go")
	if err := os.WriteFile(src, []byte("package main\n\nimport \"runtime\"\n\nfunc init() { runtime.LockOSThread() }\n"), 0o644); err != nil {
		return "", err
	}
	out, err := exec.Command("go", "list", "-f", "{{.Dir}}", "smswork/cmd/smswork").Output()
	if err != nil {
		return "", fmt.Errorf("go list: %w", err)
	}
	target := filepath.Join(strings.TrimSpace(string(out)), "zz_crashtest_lockthread.go")
	overlay := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(overlay, fmt.Appendf(nil, `{"Replace":{%q:%q}}`, target, src), 0o644); err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "smswork-locked")
	if out, err := exec.Command("go", "build", "-overlay", overlay, "-o", bin, "smswork/cmd/smswork").CombinedOutput(); err != nil {
		return "", fmt.Errorf("build locked smswork: %v\n%s", err, out)
	}
	return bin, nil
}

// CopyTree copies folder src to dst (which must not exist) with modes and
// times, to save and restore a crashed sandbox at its own path.
func CopyTree(src, dst string) error {
	if out, err := exec.Command("cp", "-a", src, dst).CombinedOutput(); err != nil {
		return fmt.Errorf("cp -a %s %s: %v: %s", src, dst, err, out)
	}
	return nil
}
