package fsroot

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSyncFileSystems_OncePerFileSystem counts, with strace, the syncfs
// calls of SyncFileSystems: one per distinct file system, however many of
// its folders are given, and sync(2) for none.
func TestSyncFileSystems_OncePerFileSystem(t *testing.T) {
	if _, err := exec.LookPath("strace"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("CI must run this test: strace is not installed")
		}
		t.Skip("strace is not installed")
	}
	a, b := t.TempDir(), t.TempDir()
	type tc struct {
		name          string
		dirs          string
		syncfs, syncs int
	}
	cases := []tc{
		{"one file system, three folders", strings.Join([]string{a, b, a}, ":"), 1, 0},
		{"none: sync(2)", "-", 0, 1},
	}
	// /dev/shm is a tmpfs: another file system than the temporary folder,
	// unless that is a tmpfs at /dev/shm too.
	if shm, err := os.MkdirTemp("/dev/shm", "fsroot-"); err == nil {
		t.Cleanup(func() { _ = os.RemoveAll(shm) })
		if dev(t, shm) != dev(t, a) {
			cases = append(cases, tc{"two file systems", strings.Join([]string{a, shm, b, shm}, ":"), 2, 0})
		}
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			log := filepath.Join(t.TempDir(), "strace.log")
			cmd := exec.Command("strace", "-f", "-o", log, "-e", "trace=syncfs,sync", self, "-test.run=^$")
			cmd.Env = append(os.Environ(), helperEnv+"="+c.dirs)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("helper: %v\n%s", err, out)
			}
			data, err := os.ReadFile(log)
			if err != nil {
				t.Fatal(err)
			}
			syncfs, syncs := strings.Count(string(data), " syncfs("), strings.Count(string(data), " sync()")
			if syncfs != c.syncfs || syncs != c.syncs {
				t.Errorf("syncfs %d times and sync %d times, want %d and %d:\n%s", syncfs, syncs, c.syncfs, c.syncs, data)
			}
		})
	}
}

// dev is the device number of the file system holding path.
func dev(t *testing.T, path string) uint64 {
	t.Helper()
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	return st.Dev
}
