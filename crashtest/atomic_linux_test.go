package crashtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// txSyscalls are the system calls the transactional sweeps crash before:
// StraceSyscalls, and those a backup and a restore add (a hard link into
// or out of the backup folder, a file's time and mode set back, the
// kernel copy of a backup).
var txSyscalls = append(append([]string{}, StraceSyscalls...),
	"linkat", "symlinkat", "utimensat", "fchmod", "fchmodat", "copy_file_range")

// txStraceBudget is about how many values of N the default run tries per
// system call and scenario (all of them with -crashtest.full).
func txStraceBudget() int {
	if testing.Short() {
		return 1
	}
	return 3
}

// txCount sets scenario mode up in a sandbox under base and counts the
// system calls of its crashed process, run without a crash.
func txCount(t *testing.T, bin, base, mode string, settle func() error) map[string]int {
	t.Helper()
	dir, err := os.MkdirTemp(base, "tx-count-")
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = os.RemoveAll(dir) }()
	s, err := NewSandbox(bin, dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Kind = "tx count"
	c, err := NewTxCase(s, txWorkload(), mode)
	if err != nil {
		t.Fatal(err)
	}
	if settle != nil {
		if err := settle(); err != nil {
			t.Fatal(err)
		}
	}
	counts, o, err := CountSyscallsOf(s, txSyscalls, nil, c.Crash...)
	if err != nil || o.Killed || len(counts) == 0 {
		t.Fatalf("counting %v: exit %d killed %v %v: %s", c.Crash, o.Code, o.Killed, err, o.Stderr)
	}
	reportViolations(t, s, mode+": the counting run", c.CheckFinal(o, nil))
	return counts
}

// txSweep crashes r at the N-th call of sc for each N of ns, checking
// each crash (txCrash). A value of N within count must kill the process:
// a crash point the process never reaches fails the test. It returns the
// number of crash points tried.
func txSweep(t *testing.T, r txRun, sc string, ns []int, count int) int {
	t.Helper()
	tried := 0
	for _, n := range ns {
		r.wrapper = KillBefore(sc, n)
		if !txCrash(t, r, fmt.Sprintf("%s #%d%s", sc, n, cutLabel(r))) {
			if n <= count {
				t.Errorf("%s: %s #%d of %d: the process was not killed", r.mode, sc, n, count)
			}
			break
		}
		if t.Failed() {
			break
		}
		tried++
	}
	if tried == 0 && !t.Failed() {
		t.Fatalf("%s: no crash at %s", r.mode, sc)
	}
	return tried
}

// TestTx_Strace kills each transactional scenario's process with SIGKILL
// on entry to the N-th call of each durability-relevant system call, for
// a sample of N (every N with -crashtest.full), runs the next start to
// completion, and checks the crashed state and the end.
func TestTx_Strace(t *testing.T) {
	needStrace(t)
	bin := lockedBinary(t)
	for _, mode := range txModes {
		t.Run(mode, func(t *testing.T) {
			t.Parallel()
			counts := txCount(t, bin, os.TempDir(), mode, nil)
			t.Logf("%s: calls in a crash-free run (main thread): %v", mode, counts)
			for _, sc := range sortedSyscallsOf(txSyscalls, counts) {
				t.Run(sc, func(t *testing.T) {
					r := txRun{bin: bin, base: os.TempDir(), kind: mode + " strace", mode: mode}
					tried := txSweep(t, r, sc, sampleN(counts[sc], txStraceBudget()), counts[sc])
					t.Logf("%s: %d crash points of %d calls", sc, tried, counts[sc])
				})
			}
		})
	}
}

// sortedSyscallsOf lists the system calls of names that counts says
// were called, in the order of names.
func sortedSyscallsOf(names []string, counts map[string]int) []string {
	var called []string
	for _, sc := range names {
		if counts[sc] > 0 {
			called = append(called, sc)
		}
	}
	return called
}

// txPowerFailpoints are the failpoints a default power-loss run cuts the
// power at, per scenario: each right after an effect that is durable only
// once its folder is synced, or once the journal commits (on XFS and
// btrfs, the last of them: a smaller sample); with -crashtest.full, every
// failpoint the scenario reaches.
func txPowerFailpoints(mode string, fs FileSystem) []string {
	if *full {
		return txFailpoints(mode)
	}
	fps := txPowerFailpointsExt4(mode)
	if fs.Name != "ext4" {
		fps = fps[len(fps)-1:]
	}
	return fps
}

// txPowerFailpointsExt4 is the default sample of txPowerFailpoints on
// ext4.
func txPowerFailpointsExt4(mode string) []string {
	switch mode {
	case TxPrune:
		return []string{"prune.before-remove"}
	case TxUndo:
		return []string{"undo.after-start", "undo.after-rename", "undo.after-step"}
	case TxDrop:
		return []string{"op.after-backup", "copy.after-rename", "move.after-rename", "del.before-sync",
			"undo.after-rename", "undo.after-step", "mirror.after-write"}
	}
	return []string{"op.after-backup", "copy.after-rename", "move.after-rename", "del.before-sync",
		"undo.after-rename", "undo.after-step"}
}

// txPowerBudget is how many occurrences of each failpoint, and about how
// many values of N per system call, a power-loss run tries on fs (on XFS
// and btrfs, one call only by default: see txPowerN).
func txPowerBudget(fs FileSystem) (failpointN, straceN int) {
	switch {
	case *full:
		return 1 << 30, 1 << 30
	case testing.Short(), fs.Name != "ext4":
		return 1, 1
	}
	return 1, 3
}

// txPowerN are the values of N tried for a system call called count times
// in a power-loss run on fs: sampleN's, except on XFS and btrfs in the
// default run, which try the middle call only.
func txPowerN(fs FileSystem, count, budget int) []int {
	if *full || fs.Name == "ext4" || count < 1 {
		return sampleN(count, budget)
	}
	return []int{(count + 1) / 2}
}

// txPowerSyscalls are the system calls before whose N-th call the power
// is cut: the syncs, and the changes of a folder's entries.
var txPowerSyscalls = []string{"fsync", "fdatasync", "renameat", "linkat", "unlinkat"}

// TestTx_PowerLoss cuts the power in each transactional scenario, on each
// file system of -crashtest.fs (see TestPowerLoss), at a sample of
// failpoints and before the N-th sync or folder change (all of them with
// -crashtest.full), then runs the next start to completion and checks the
// crashed state and the end. Each scenario has its own disk, so they run
// in parallel.
func TestTx_PowerLoss(t *testing.T) {
	needStrace(t)
	bin := lockedBinary(t)
	for _, fs := range powerFileSystems(t) {
		t.Run(fs.Name, func(t *testing.T) {
			for _, mode := range txModes {
				t.Run(mode, func(t *testing.T) {
					t.Parallel()
					txPowerLoss(t, bin, newDisk(t, fs), mode)
				})
			}
		})
	}
}

// txPowerLoss is TestTx_PowerLoss for scenario mode on disk d.
func txPowerLoss(t *testing.T, bin string, d *Disk, mode string) {
	fpN, scN := txPowerBudget(d.FS)
	r := txRun{bin: bin, base: d.Dir, kind: mode + " power/" + d.FS.Name, mode: mode, settle: d.Sync, cut: d.CutPower}
	counts := txCount(t, bin, d.Dir, mode, d.Sync)
	for _, fp := range txPowerFailpoints(mode, d.FS) {
		t.Run(fp, func(t *testing.T) {
			r := r
			tried := 0
			for n := 1; n <= fpN; n++ {
				spec := fmt.Sprintf("%s:%d", fp, n)
				r.env = []string{"SMSWORK_FAILPOINT=" + spec}
				if !txCrash(t, r, spec+cutLabel(r)) || t.Failed() {
					break
				}
				tried++
			}
			if tried == 0 && !t.Failed() {
				t.Fatalf("%s: failpoint %s never reached", mode, fp)
			}
			t.Logf("%s %s: %d crash points", d.FS.Name, fp, tried)
		})
	}
	for _, sc := range sortedSyscallsOf(txPowerSyscalls, counts) {
		t.Run(sc, func(t *testing.T) {
			tried := txSweep(t, r, sc, txPowerN(d.FS, counts[sc], scN), counts[sc])
			t.Logf("%s %s: %d crash points of %d calls", d.FS.Name, sc, tried, counts[sc])
		})
	}
}

// cutLabel names the power cut in a crash point's label, when r makes one.
func cutLabel(r txRun) string {
	if r.cut != nil {
		return " + power cut"
	}
	return ""
}

// TestTx_PowerLoss_SkippedFolderSyncs runs an undo with every fsync of a
// sandbox folder turned into a no-op that succeeds (the product
// untouched), cuts the power once undo steps have committed, and expects
// the checkers to report what the lost renames undid: an undo's
// promises hold because of its folder syncs, and the power-loss harness
// sees them missing.
//
// It runs on the first file system of -crashtest.fs.
func TestTx_PowerLoss_SkippedFolderSyncs(t *testing.T) {
	needStrace(t)
	d := newDisk(t, powerFileSystems(t)[0])
	bin := lockedBinary(t)
	var found []string
	for n := 1; n <= 13 && len(found) == 0; n += 4 {
		dir, err := os.MkdirTemp(d.Dir, "tx-")
		if err != nil {
			t.Fatal(err)
		}
		s, err := NewSandbox(bin, dir)
		if err != nil {
			t.Fatal(err)
		}
		s.Kind = "demo/tx power, folder syncs skipped"
		c, err := NewTxCase(s, txWorkload(), TxUndo)
		if err != nil {
			t.Fatal(err)
		}
		folders := []string{s.Dir, s.C, s.D, s.Journal + ".backups"}
		for _, tree := range []Tree{c.Before, c.After} {
			for rel, v := range tree {
				if strings.HasPrefix(v, "dir ") {
					folders = append(folders, filepath.Join(s.Dir, filepath.FromSlash(rel)))
				}
			}
		}
		if err := d.Sync(); err != nil {
			t.Fatal(err)
		}
		spec := fmt.Sprintf("undo.after-step:%d", n)
		o, err := s.RunWrapped(SkipSyncOf(folders...), []string{"SMSWORK_FAILPOINT=" + spec}, c.Crash...)
		if err != nil || !o.Killed {
			t.Fatalf("%s: not killed: exit %d %v %s", spec, o.Code, err, o.Stderr)
		}
		if err := d.CutPower(); err != nil {
			t.Fatal(err)
		}
		st, v := c.CheckCrashed()
		found = append(found, v...)
		o, err = s.Run(nil, c.Recover...)
		if err != nil {
			t.Fatal(err)
		}
		found = append(found, c.CheckFinal(o, &st)...)
		t.Logf("folder syncs skipped, power cut at %s: %d violations: %q", spec, len(found), found)
		if err := os.RemoveAll(dir); err != nil {
			t.Fatal(err)
		}
	}
	if len(found) == 0 {
		t.Error("with the folder syncs skipped, no power cut during an undo broke a promise: the harness does not see missing folder syncs")
	}
}
