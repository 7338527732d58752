// Package ntfstest gives tests a real NTFS file system on Linux: an image
// made by mkntfs, mounted by ntfs-3g (FUSE) the way an offline Windows
// image is serviced, and read back after unmounting with ntfsinfo and
// ntfscat, which go through no mount at all. It is for tests only.
//
// A test that needs it calls Mount. Without root, /dev/fuse or the ntfs-3g
// tools the test is skipped, unless the environment variable RequireEnv is
// 1 (CI sets it): then it fails, so that CI never passes by skipping.
package ntfstest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// RequireEnv, set to 1, makes a missing tool or privilege a failure.
const RequireEnv = "SMSWORK_REQUIRE_NTFS"

// Volume is a mounted NTFS image.
type Volume struct {
	// Image is the image file; Dir is where it is mounted.
	Image, Dir string
	t          testing.TB
	mounted    bool
	cmd        *exec.Cmd
	out        syncBuffer
	exited     chan error
}

// syncBuffer is ntfs-3g's output, written by its pipes' goroutines and
// read by the test.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// Bytes returns a copy of what was written so far.
func (s *syncBuffer) Bytes() []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]byte(nil), s.b.Bytes()...)
}

// Mount makes a 64 MiB NTFS image under t.TempDir() and mounts it with
// ntfs-3g and the given options (for example "umask=022"); the volume is
// unmounted when the test ends, if it still is. ntfs-3g runs in the
// foreground (no_detach) as a child of the test, so that Unmount can wait
// for it to have written the volume back.
func Mount(t testing.TB, options ...string) *Volume {
	t.Helper()
	Available(t)
	dir := t.TempDir()
	v := &Volume{Image: filepath.Join(dir, "ntfs.img"), Dir: filepath.Join(dir, "mnt"), t: t}
	if err := os.Mkdir(v.Dir, 0o755); err != nil {
		t.Fatal(err)
	}
	run(t, "truncate", "-s", "64M", v.Image)
	run(t, "mkntfs", "-q", "-F", "-f", v.Image)
	v.cmd = exec.Command("ntfs-3g", "-o", strings.Join(append(options, "no_detach"), ","), v.Image, v.Dir)
	v.cmd.Stdout, v.cmd.Stderr = &v.out, &v.out
	if err := v.cmd.Start(); err != nil {
		t.Fatalf("ntfs-3g: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- v.cmd.Wait() }()
	v.exited = exited
	v.mounted = true
	t.Cleanup(func() {
		if v.mounted {
			v.Unmount()
		}
	})
	parent, err := os.Stat(dir)
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for !isMountedOn(v.Dir, parent) {
		select {
		case err := <-exited:
			v.mounted = false
			t.Fatalf("ntfs-3g %s %s exited before mounting: %v: %s", v.Image, v.Dir, err, v.out.Bytes())
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("ntfs-3g did not mount %s in 20 s: %s", v.Dir, v.out.Bytes())
		}
	}
	return v
}

// isMountedOn reports whether dir is on another device than parent, the
// folder that holds it: a file system is mounted there.
func isMountedOn(dir string, parent os.FileInfo) bool {
	fi, err := os.Stat(dir)
	if err != nil {
		return false
	}
	return !os.SameFile(fi, parent) && deviceOf(fi) != deviceOf(parent)
}

// Available skips t (or fails it, with RequireEnv=1) when a real NTFS
// cannot be mounted here.
func Available(t testing.TB) {
	t.Helper()
	var missing []string
	if os.Geteuid() != 0 {
		missing = append(missing, "root")
	}
	if _, err := os.Stat("/dev/fuse"); err != nil {
		missing = append(missing, "/dev/fuse")
	}
	for _, tool := range []string{"mkntfs", "ntfs-3g", "ntfsinfo", "ntfscat", "ntfsls", "fusermount"} {
		if _, err := exec.LookPath(tool); err != nil {
			missing = append(missing, tool)
		}
	}
	if len(missing) == 0 {
		return
	}
	if os.Getenv(RequireEnv) == "1" {
		t.Fatalf("a real NTFS is required (%s=1) but this machine lacks: %s (apt-get install ntfs-3g)", RequireEnv, strings.Join(missing, ", "))
	}
	t.Skipf("no real NTFS here (lacking %s); CI runs this with %s=1", strings.Join(missing, ", "), RequireEnv)
}

// Unmount unmounts the volume and waits for ntfs-3g to exit, having
// written the volume back to the image.
func (v *Volume) Unmount() {
	v.t.Helper()
	if out, err := exec.Command("fusermount", "-u", v.Dir).CombinedOutput(); err != nil {
		v.t.Fatalf("fusermount -u %s: %v: %s", v.Dir, err, out)
	}
	v.mounted = false
	select {
	case err := <-v.exited:
		if err != nil {
			v.t.Fatalf("ntfs-3g %s: %v: %s", v.Image, err, v.out.Bytes())
		}
	case <-time.After(60 * time.Second):
		v.t.Fatalf("ntfs-3g %s still running 60 s after the unmount", v.Image)
	}
}

// Info returns what `ntfsinfo -F path` says of a file, read from the image.
func (v *Volume) Info(path string) string {
	v.t.Helper()
	return run(v.t, "ntfsinfo", "-F", path, v.Image)
}

// Cat returns the bytes of a file, read from the image by ntfscat.
func (v *Volume) Cat(path string) []byte {
	v.t.Helper()
	cmd := exec.Command("ntfscat", v.Image, path)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		v.t.Fatalf("ntfscat %s %s: %v: %s", v.Image, path, err, stderr.Bytes())
	}
	return out
}

// Ls returns the names in folder path of the image, as ntfsls lists them
// ("." and ".." left out): a name differing only in case from another is
// listed as a name of its own.
func (v *Volume) Ls(path string) []string {
	v.t.Helper()
	var names []string
	for _, l := range strings.Split(run(v.t, "ntfsls", "-f", v.Image, "-p", path), "\n") {
		if l != "" && l != "." && l != ".." {
			names = append(names, l)
		}
	}
	return names
}

func run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}
