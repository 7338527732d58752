package crashtest

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var powerFS = flag.String("crashtest.fs", "ext4,xfs,btrfs", "the file systems of the power-loss tests, comma-separated")

// powerFileSystems are the file systems named by -crashtest.fs, in its
// order.
func powerFileSystems(t *testing.T) []FileSystem {
	t.Helper()
	var fss []FileSystem
	for _, name := range strings.Split(*powerFS, ",") {
		fs, ok := FileSystems[strings.TrimSpace(name)]
		if !ok {
			t.Fatalf("-crashtest.fs: unknown file system %q", name)
		}
		fss = append(fss, fs)
	}
	return fss
}

// eachFileSystem runs fn as a parallel subtest per file system of
// -crashtest.fs, each with a disk of its own.
func eachFileSystem(t *testing.T, fn func(t *testing.T, d *Disk)) {
	t.Helper()
	for _, fs := range powerFileSystems(t) {
		t.Run(fs.Name, func(t *testing.T) {
			t.Parallel()
			fn(t, newDisk(t, fs))
		})
	}
}

// newDisk gives the test a disk of file system fs whose power it can cut,
// or skips it when it is not root, cannot mount a loop device or lacks
// the file system's tools. The image lives in /dev/shm when there is one
// (its syncs cost nothing; the power cut is the file system's, or a copy
// of what it wrote to its device, not the backing file's).
func newDisk(t *testing.T, fs FileSystem) *Disk {
	t.Helper()
	if os.Geteuid() != 0 {
		cannot(t, "power-loss tests need root (mount, shutdown ioctl)")
	}
	base := t.TempDir()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		if dir, err := os.MkdirTemp("/dev/shm", "smswork-disk-"); err == nil {
			base = dir
			t.Cleanup(func() { _ = os.RemoveAll(dir) })
		}
	}
	d, err := NewDisk(fs, filepath.Join(base, "disk.img"), filepath.Join(t.TempDir(), "mnt"), 256<<20)
	if err != nil {
		cannot(t, fmt.Sprintf("cannot mount a %s loop device: %v", fs.Name, err))
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d
}

// powerCrash installs the reference workload on d, runs it under wrapper
// and env until it is killed, cuts the power, checks the crashed state,
// runs to completion and checks the result. The run counters live on the
// disk, beside drives C and D, and the programs of the run operations
// append to them without syncing: their effects are lost in a power cut
// unless smswork makes them durable. The binary lives outside the disk.
// It reports whether the run was killed.
func powerCrash(t *testing.T, d *Disk, ref *Expected, bin, kind, label string, wrapper, env []string) bool {
	t.Helper()
	s, w, done := sandboxIn(t, bin, d.Dir, kind)
	defer done()
	if err := d.Sync(); err != nil {
		t.Fatal(err)
	}
	return crashAndRecover(t, s, w, ref, label+" + power cut", wrapper, env, d.CutPower)
}

// powerBudget is how many occurrences of each failpoint, and about how
// many values of N per system call, the default run tries on fs: ext4,
// the first file system the harness was built on, gets the larger share
// of the default sample, XFS and btrfs a smaller one each.
func powerBudget(fs FileSystem) (failpointN, straceN int) {
	switch {
	case *full:
		return 1 << 30, 1 << 30
	case testing.Short():
		return 1, 1
	case fs.Name != "ext4":
		return 1, 2
	}
	return 2, 15
}

// powerSyscalls are the system calls before whose N-th call the power is
// cut in the reference workload: the syncs (syncfs is the sync of a run
// operation's effects), and renameat.
var powerSyscalls = []string{"fsync", "fdatasync", "renameat", "syncfs"}

// TestPowerLoss cuts the power at each sync point of the workload, on
// each file system of -crashtest.fs (ext4 and XFS: their shutdown ioctl
// with NOLOGFLUSH, what the journal has not committed is lost; btrfs: an
// image copy): the product's failpoints, and a kill before the N-th
// fsync, fdatasync, renameat and syncfs. Then it recovers and checks the
// promises.
func TestPowerLoss(t *testing.T) {
	needStrace(t)
	ref := reference(t)
	bin := lockedBinary(t)
	counts := countRun(t, bin)
	eachFileSystem(t, func(t *testing.T, d *Disk) {
		fs := d.FS.Name
		fpN, scN := powerBudget(d.FS)
		t.Run("failpoints", func(t *testing.T) {
			for _, fp := range powerFailpoints(d.FS) {
				tried := 0
				for n := 1; n <= fpN; n++ {
					spec := fmt.Sprintf("%s:%d", fp, n)
					if !powerCrash(t, d, ref, bin, "power/"+fs+"/failpoint", spec, nil, []string{"SMSWORK_FAILPOINT=" + spec}) || t.Failed() {
						break
					}
					tried++
				}
				t.Logf("%s %s: %d crash points", fs, fp, tried)
			}
		})
		for _, sc := range powerSyscalls {
			t.Run(sc, func(t *testing.T) {
				tried := 0
				for _, n := range sampleN(counts[sc], scN) {
					if !powerCrash(t, d, ref, bin, "power/"+fs+"/"+sc, fmt.Sprintf("%s %s #%d", fs, sc, n), KillBefore(sc, n), nil) || t.Failed() {
						break
					}
					tried++
				}
				if tried == 0 && !t.Failed() {
					t.Errorf("%s: no crash at %s (%d calls counted)", fs, sc, counts[sc])
				}
				t.Logf("%s %s: %d crash points of %d calls", fs, sc, tried, counts[sc])
			})
		}
	})
}

// powerFailpoints are the failpoints TestPowerLoss cuts the power at on
// fs: all of them on ext4 and with -crashtest.full; else a few right
// after an effect that is durable only once synced (a commit, a rewrite
// of SMS.INI, a rename).
func powerFailpoints(fs FileSystem) []string {
	if *full || fs.Name == "ext4" {
		return failpoints
	}
	return []string{"op.after-commit", "mirror.after-write", "copy.after-rename", "move.after-rename"}
}

// replaceFile is the textbook atomic write: a temporary file, written and
// fsynced, renamed over path; then the folder fsynced, unless syncDir is
// false, the bug TestPowerLoss_MissingFolderSync shows the harness
// catches.
func replaceFile(path string, data []byte, syncDir bool) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return err
	}
	if !syncDir {
		return nil
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	err = dir.Sync()
	if cerr := dir.Close(); err == nil {
		err = cerr
	}
	return err
}

// checkDurable is the power-loss checker's rule for one write that
// returned: after the power cut, path holds what was written.
func checkDurable(path string, want []byte) []string {
	got, err := os.ReadFile(path)
	if err != nil {
		return []string{fmt.Sprintf("%s: %v", path, err)}
	}
	if !bytes.Equal(got, want) {
		return []string{fmt.Sprintf("%s holds %q after the power cut, but the write of %q had returned", path, got, want)}
	}
	return nil
}

// TestPowerLoss_MissingFolderSync shows that the power-loss harness
// catches a missing folder fsync on each file system: the same atomic
// write, with and without the fsync of the folder after the rename, then
// a power cut. Without it the rename is lost (the old file is back, the
// temporary file is still there); with it the new file survives.
func TestPowerLoss_MissingFolderSync(t *testing.T) {
	eachFileSystem(t, testMissingFolderSync)
}

func testMissingFolderSync(t *testing.T, d *Disk) {
	for _, syncDir := range []bool{false, true} {
		t.Run(fmt.Sprintf("syncDir=%v", syncDir), func(t *testing.T) {
			dir, err := os.MkdirTemp(d.Dir, "demo-")
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(dir, "SMS.INI")
			old, updated := []byte("PendingWork=a, b\n"), []byte("PendingWork=b\n")
			if err := os.WriteFile(path, old, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := d.Sync(); err != nil {
				t.Fatal(err)
			}
			if err := replaceFile(path, updated, syncDir); err != nil {
				t.Fatal(err)
			}
			if err := d.CutPower(); err != nil {
				t.Fatal(err)
			}
			v := checkDurable(path, updated)
			_, tmpErr := os.Stat(path + ".tmp")
			t.Logf("folder fsync %v: checker says %q; temporary file left: %v", syncDir, v, tmpErr == nil)
			switch {
			case syncDir && len(v) > 0:
				t.Errorf("with the folder fsync the write was lost: %v", v)
			case !syncDir && len(v) == 0:
				t.Errorf("without the folder fsync the rename survived the power cut: the harness would not catch a missing folder sync")
			}
		})
	}
}

// TestPowerLoss_SkippedFolderSyncs runs the real binary with every fsync
// of a sandbox folder turned into a no-op that succeeds (strace -P ...
// inject=fsync:retval=0, the product untouched), cuts the power after
// operations commit, and expects the checkers to report lost effects:
// the promises hold because of those folder syncs.
// It runs on the first file system of -crashtest.fs.
func TestPowerLoss_SkippedFolderSyncs(t *testing.T) {
	needStrace(t)
	d := newDisk(t, powerFileSystems(t)[0])
	ref := reference(t)
	bin := lockedBinary(t)
	var found []string
	for n := 1; n <= 6 && len(found) == 0; n++ {
		s, w, done := sandboxIn(t, bin, d.Dir, "demo/power, folder syncs skipped")
		folders := []string{s.Dir, s.C, s.D}
		for rel, v := range ref.Tree {
			if v == "dir" {
				folders = append(folders, filepath.Join(s.Dir, filepath.FromSlash(rel)))
			}
		}
		if err := d.Sync(); err != nil {
			t.Fatal(err)
		}
		spec := fmt.Sprintf("op.after-commit:%d", n)
		o, err := s.RunWrapped(SkipSyncOf(folders...), []string{"SMSWORK_FAILPOINT=" + spec}, "run")
		if err != nil || !o.Killed {
			t.Fatalf("%s: not killed: exit %d %v %s", spec, o.Code, err, o.Stderr)
		}
		if err := d.CutPower(); err != nil {
			t.Fatal(err)
		}
		found = append(found, CheckCrashed(s, w)...)
		if o, err := s.Run(nil, "run"); err != nil || o.Code != 0 {
			found = append(found, fmt.Sprintf("recovery: exit %d %v", o.Code, err))
		}
		found = append(found, CheckRecovered(s, w, ref)...)
		t.Logf("folder syncs skipped, power cut at %s: %d violations: %q", spec, len(found), found)
		done()
	}
	if len(found) == 0 {
		t.Error("with the folder syncs skipped, no power cut broke a promise: the harness does not see missing folder syncs")
	}
}
