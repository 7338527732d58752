//go:build !windows

package exec

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// TestExecutor_RunSyncsFileSystems checks where a run operation makes its
// program's effects durable: once, after the program has exited (its
// output is there when the sync is called), with the folders of every
// mapped drive and SyncDirs; and what a failed sync does to the result.
func TestExecutor_RunSyncsFileSystems(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil {
		t.Skip("no /bin/sh")
	}
	journalDir := t.TempDir()
	cases := []struct {
		name     string
		script   string // run by sh -c, with $0 the output file
		syncErr  error
		want     ops.Outcome
		errShows string
	}{
		{"program ok, sync ok", `echo x >> "$0"`, nil, ops.Done, ""},
		{"program ok, sync fails", `echo x >> "$0"`, errors.New("syncfs: input/output error"), ops.Failed, "could not be made durable: syncfs: input/output error"},
		{"program ok, not permitted to flush", `echo x >> "$0"`, fmt.Errorf("flush C: %w", fsroot.ErrCannotFlush), ops.Done, ""},
		{"program fails, sync fails", `echo x >> "$0"; exit 3`, errors.New("syncfs: EIO"), ops.Failed, "exit status 3"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e, m := exNew(t, "C", "D")
			e.SyncDirs = []string{journalDir}
			out := filepath.Join(m["D"], "out.txt")
			var calls [][]string
			e.syncFileSystems = func(dirs []string) error {
				data, err := os.ReadFile(out)
				if err != nil || string(data) != "x\n" {
					t.Errorf("sync called before the program's output was written: %q %v", data, err)
				}
				calls = append(calls, slices.Clone(dirs))
				return c.syncErr
			}
			res := runOp(t, e, "sh", "-c", c.script, out)
			exWant(t, res, c.want)
			if c.errShows != "" && !strings.Contains(res.Err, c.errShows) {
				t.Errorf("error %q does not say %q", res.Err, c.errShows)
			}
			want := [][]string{{m["C"], m["D"], journalDir}}
			if !slices.EqualFunc(calls, want, slices.Equal[[]string]) {
				t.Errorf("synced %q, want %q", calls, want)
			}
		})
	}
}

// TestExecutor_RunSyncsEverythingWithoutFolders: an Executor with no
// drive mapped and no SyncDirs still syncs, every file system (nil).
func TestExecutor_RunSyncsEverythingWithoutFolders(t *testing.T) {
	e := &Executor{}
	called := 0
	e.syncFileSystems = func(dirs []string) error {
		called++
		if dirs != nil {
			t.Errorf("synced %q, want nil (every file system)", dirs)
		}
		return nil
	}
	res := runOp(t, e, "true")
	exWant(t, res, ops.Done)
	if called != 1 {
		t.Errorf("synced %d times, want 1", called)
	}
}

// TestExecutor_RunFailsToStartNoSync: a program that never started
// wrote nothing, so nothing is synced.
func TestExecutor_RunFailsToStartNoSync(t *testing.T) {
	e, _ := exNew(t)
	e.syncFileSystems = func([]string) error { t.Error("synced for a program that never ran"); return nil }
	res := runOp(t, e, "no-such-program-smswork")
	exWant(t, res, ops.Failed)
}
