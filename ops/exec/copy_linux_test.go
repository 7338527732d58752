package exec

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"smswork/crashtest"
	"smswork/internal/fsroot"
	"smswork/ops"
)

// TestExecutor_CopyPaths copies a file of several chunks by each way a
// binary copy can move its bytes, and checks the way taken (the debug
// log), the destination's bytes and the recorded hash.
func TestExecutor_CopyPaths(t *testing.T) {
	data := bytes.Repeat([]byte("0123456789abcdef"), (3*copyChunk+17)/16)
	sum := sha256.Sum256(data)
	want := hex.EncodeToString(sum[:])
	cases := []struct {
		name  string
		fs    string // "" is the test's temporary folder (ext4 here), else a loop image
		paths copyPaths
		via   copyVia
	}{
		{"copy_file_range", "", copyPaths{}, viaRange},
		{"loop forced", "", copyPaths{noClone: true, noRange: true}, viaLoop},
		{"clone on xfs", "xfs", copyPaths{}, viaClone},
		{"copy_file_range on xfs", "xfs", copyPaths{noClone: true}, viaRange},
		{"loop forced on xfs", "xfs", copyPaths{noClone: true, noRange: true}, viaLoop},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var e *Executor
			var c string
			if tc.fs == "" {
				var m map[string]string
				e, m = exNew(t)
				c = m["C"]
			} else {
				c = loopDisk(t, tc.fs)
				d, err := fsroot.NewDrives(map[string]string{"C": c})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { _ = d.Close() })
				e = &Executor{Drives: d}
			}
			var log bytes.Buffer
			e.Log = zerolog.New(&log).Level(zerolog.DebugLevel)
			e.copyPaths = tc.paths
			exWrite(t, c, "big.bin", string(data))
			res := exDo(t, e, &ops.Op{Kind: ops.KindCopy, Src: exC("big.bin"), Dst: exC("out.bin")})
			exWant(t, res, ops.Done)
			if !strings.Contains(log.String(), `"via":"`+string(tc.via)+`"`) {
				t.Errorf("log %s, want via %s", log.String(), tc.via)
			}
			got, err := os.ReadFile(filepath.Join(c, "out.bin"))
			if err != nil || !bytes.Equal(got, data) {
				t.Fatalf("out.bin: %d bytes (err %v), want the source's %d", len(got), err, len(data))
			}
			if len(res.Files) != 1 || res.Files[0].SHA256 != want || res.Files[0].SrcSHA256 != want || res.Files[0].Size != int64(len(data)) {
				t.Errorf("files %+v, want SHA-256 %s of %d bytes", res.Files, want, len(data))
			}
		})
	}
}

// TestExecutor_CopySourceChanged: a source that grows while the kernel
// copies it fails the copy (its hash, read apart, may not be of the bytes
// copied) and leaves no destination; the loop, which hashes what it
// writes, copies what it read and records its hash.
func TestExecutor_CopySourceChanged(t *testing.T) {
	cases := []struct {
		name  string
		paths copyPaths
		fail  bool
	}{
		{"copy_file_range", copyPaths{}, true},
		{"loop", copyPaths{noClone: true, noRange: true}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e, m := exNew(t)
			c := m["C"]
			e.copyPaths = tc.paths
			src := exWrite(t, c, "big.bin", strings.Repeat("x", 2*copyChunk))
			e.Failpoint = func(name string) {
				if name != "copy.mid-write" {
					return
				}
				f, err := os.OpenFile(src, os.O_WRONLY|os.O_APPEND, 0)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := f.WriteString("more"); err != nil {
					t.Fatal(err)
				}
				if err := f.Close(); err != nil {
					t.Fatal(err)
				}
			}
			res := exDo(t, e, &ops.Op{Kind: ops.KindCopy, Src: exC("big.bin"), Dst: exC("out.bin")})
			if tc.fail {
				exWant(t, res, ops.Failed)
				if !strings.Contains(res.Err, ErrSourceChanged.Error()) {
					t.Errorf("err %q, want %q", res.Err, ErrSourceChanged)
				}
				if exExists(c, "out.bin") {
					t.Error("out.bin exists after a failed copy")
				}
				return
			}
			exWant(t, res, ops.Done)
			got := exRead(t, c, "out.bin")
			sum := sha256.Sum256([]byte(got))
			if len(res.Files) != 1 || res.Files[0].SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("files %+v, want the hash of the %d bytes written", res.Files, len(got))
			}
		})
	}
}

// loopDisk mounts a fresh file system of type fs (a loop image) for the
// test and returns its folder; it skips, saying why, without root or the
// file system's mkfs.
func loopDisk(t *testing.T, fs string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("a %s loop image needs root", fs)
	}
	kind := crashtest.FileSystems[fs]
	// These disks are never cut: no hold on the machine's periodic
	// write-back, which btrfs's image-copy cut needs (crashtest.NewDisk
	// holds it for CutImageCopy). The hold is counted within one process;
	// crashtest's own tests, another process under go test ./..., would
	// have it released under them when this one ended.
	kind.Cut = crashtest.CutShutdown
	if _, err := exec.LookPath(kind.Mkfs[0]); err != nil {
		t.Skipf("%s: %v", fs, err)
	}
	dir := t.TempDir()
	d, err := crashtest.NewDisk(kind, filepath.Join(dir, fs+".img"), filepath.Join(dir, "mnt"), 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	c := filepath.Join(d.Dir, "c")
	if err := os.Mkdir(c, 0o755); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestExecutor_CopyCommitsOnBtrfs: on btrfs a copy (and a join) returns with the file
// system's transaction committed (fsroot.Replace, renameNeedsCommit), so btrfs's log holds
// nothing of it: the superblock's log_root is 0. With only the fsyncs of
// the temporary file and of the folder, the copy lives in the log, which
// can bring the temporary name back after a power cut (the README, Power
// loss on ext4, XFS and btrfs).
func TestExecutor_CopyCommitsOnBtrfs(t *testing.T) {
	for _, entry := range []string{`copy c:\a.txt c:\b.txt`, `copy c:\a.txt+c:\a2.txt c:\joined.txt`} {
		t.Run(entry, func(t *testing.T) {
			c := loopDisk(t, "btrfs")
			d, err := fsroot.NewDrives(map[string]string{"C": c})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = d.Close() })
			e := &Executor{Drives: d, Log: zerolog.Nop()}
			exWrite(t, c, "a.txt", "a small file\n")
			exWrite(t, c, "a2.txt", "and another\n")
			if err := fsroot.SyncFileSystems([]string{c}); err != nil {
				t.Fatal(err)
			}
			op, err := ops.Parse(entry)
			if err != nil {
				t.Fatal(err)
			}
			exWant(t, exDo(t, e, op), ops.Done)
			image := filepath.Join(filepath.Dir(filepath.Dir(c)), "btrfs.img")
			out, err := exec.Command("btrfs", "inspect-internal", "dump-super", image).CombinedOutput()
			if err != nil {
				t.Fatalf("dump-super: %v: %s", err, out)
			}
			logRoot := ""
			for _, line := range strings.Split(string(out), "\n") {
				if f := strings.Fields(line); len(f) == 2 && f[0] == "log_root" {
					logRoot = f[1]
				}
			}
			if logRoot != "0" {
				t.Errorf("after the copy the superblock's log_root is %q, want 0 (the transaction committed):\n%s", logRoot, out)
			}
		})
	}
}
