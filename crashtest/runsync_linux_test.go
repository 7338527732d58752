package crashtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"smswork/internal/fsroot"
)

// TestPowerLoss_UnsyncedAppend shows, on each file system, what the power
// cut does to a program's output written without fsync (`echo x >>
// FILE`, as installers and scripts write), and what the sync of a run
// operation's effects does: without fsroot.SyncFileSystems the append is
// lost even though the file's folder and another file were synced after
// it; with it, the append survives.
func TestPowerLoss_UnsyncedAppend(t *testing.T) {
	eachFileSystem(t, func(t *testing.T, d *Disk) {
		for _, synced := range []bool{false, true} {
			t.Run(fmt.Sprintf("synced=%v", synced), func(t *testing.T) {
				dir, err := os.MkdirTemp(d.Dir, "append-")
				if err != nil {
					t.Fatal(err)
				}
				counter, other := filepath.Join(dir, "counter"), filepath.Join(dir, "other")
				if err := os.WriteFile(counter, []byte("x\n"), 0o644); err != nil {
					t.Fatal(err)
				}
				if err := d.Sync(); err != nil {
					t.Fatal(err)
				}
				f, err := os.OpenFile(counter, os.O_APPEND|os.O_WRONLY, 0)
				if err != nil {
					t.Fatal(err)
				}
				_, err = f.WriteString("x\n")
				if cerr := f.Close(); err == nil {
					err = cerr
				}
				if err != nil {
					t.Fatal(err)
				}
				if synced {
					if err := fsroot.SyncFileSystems([]string{d.Dir}); err != nil {
						t.Fatal(err)
					}
				}
				// What smswork does next, commit its marker: another
				// file written and synced, and the folder synced.
				if err := replaceFile(other, []byte("commit\n"), true); err != nil {
					t.Fatal(err)
				}
				if err := d.CutPower(); err != nil {
					t.Fatal(err)
				}
				got, err := os.ReadFile(counter)
				if err != nil {
					t.Fatal(err)
				}
				t.Logf("%s, run effects synced %v: the counter holds %q after the power cut", d.FS.Name, synced, got)
				switch {
				case synced && string(got) != "x\nx\n":
					t.Errorf("%s: the append was lost although its file system was synced: %q", d.FS.Name, got)
				case !synced && string(got) == "x\nx\n":
					t.Errorf("%s: the unsynced append survived the power cut: this cut would not catch a run's effects lost", d.FS.Name)
				}
				if v := checkDurable(other, []byte("commit\n")); len(v) > 0 {
					t.Errorf("%s: %v", d.FS.Name, v)
				}
			})
		}
	})
}

// runCommits are the values of N of op.after-commit:N right after a run
// operation of the reference workload commits: the run entries' positions
// in the queue (markers are written in queue order).
func runCommits(w *Workload) []int {
	var ns []int
	for i, e := range w.AllEntries() {
		if _, ok := counterOf(e); ok {
			ns = append(ns, i+1)
		}
	}
	return ns
}

// TestPowerLoss_SkippedRunSyncs shows, on each file system, that the
// power-loss harness catches run operations whose effects are not made
// durable before their commit: the real binary with its syncfs calls
// turned into no-ops that succeed (strace inject=syncfs:retval=0, the
// product untouched: the code as it was before that sync), killed right
// after each run operation commits (the first and the third in the default
// run, every one with -crashtest.full), then the power cut. The counters the
// programs append to, on the crashed disk, lose their last line and the
// checkers must say so; the same crash points with the syncs in place
// must break nothing.
func TestPowerLoss_SkippedRunSyncs(t *testing.T) {
	needStrace(t)
	ref := reference(t)
	bin := lockedBinary(t)
	eachFileSystem(t, func(t *testing.T, d *Disk) {
		for _, skip := range []bool{true, false} {
			kind := "power/" + d.FS.Name + "/after a run's commit"
			var wrapper []string
			if skip {
				kind, wrapper = "demo/power/"+d.FS.Name+", run syncs skipped", SkipSyncfs()
			}
			var found []string
			ns := runCommits(Reference(&Sandbox{}))
			if !*full {
				ns = []int{ns[0], ns[2]} // r1, then add.sh after r2
			}
			for _, n := range ns {
				s, w, done := sandboxIn(t, bin, d.Dir, kind)
				if err := d.Sync(); err != nil {
					t.Fatal(err)
				}
				spec := fmt.Sprintf("op.after-commit:%d", n)
				o, err := s.RunWrapped(wrapper, []string{"SMSWORK_FAILPOINT=" + spec}, "run")
				if err != nil || !o.Killed {
					t.Fatalf("%s: not killed: exit %d %v %s", spec, o.Code, err, o.Stderr)
				}
				if err := d.CutPower(); err != nil {
					t.Fatal(err)
				}
				v := CheckCrashed(s, w)
				if o, err := s.Run(nil, "run"); err != nil || o.Code != 0 {
					v = append(v, fmt.Sprintf("recovery: exit %d %v: %s", o.Code, err, o.Stderr))
				}
				v = append(v, CheckRecovered(s, w, ref)...)
				t.Logf("%s, run syncs skipped %v, power cut at %s: %d violations %q", d.FS.Name, skip, spec, len(v), v)
				found = append(found, v...)
				done()
			}
			switch {
			case skip && len(found) == 0:
				t.Errorf("%s: with the syncs of run effects skipped, no power cut after a run's commit broke a promise: the harness does not see them missing", d.FS.Name)
			case skip && !strings.Contains(strings.Join(found, "\n"), "ran 0 times"):
				t.Errorf("%s: with the syncs skipped the checkers found %q, but no run counted 0 times", d.FS.Name, found)
			case !skip:
				for _, v := range found {
					t.Errorf("%s, run effects synced: %s", d.FS.Name, v)
				}
			}
		}
	})
}
