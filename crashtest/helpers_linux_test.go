package crashtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

var (
	lockedOnce sync.Once
	lockedBin  string
	lockedErr  error
)

// lockedBinary returns smswork built with its main goroutine locked to
// one thread (BuildLockedBinary), built once beside binPath.
func lockedBinary(t *testing.T) string {
	t.Helper()
	lockedOnce.Do(func() {
		lockedBin, lockedErr = BuildLockedBinary(filepath.Dir(binPath))
	})
	if lockedErr != nil {
		t.Fatal(lockedErr)
	}
	return lockedBin
}

// needStrace skips the test when strace is not installed.
func needStrace(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("strace"); err != nil {
		cannot(t, "strace is not installed")
	}
}

// cannot skips a test whose means this machine lacks, except in CI
// (CI=true), which has them all: there a skip would be a test that passes
// because it did not run.
func cannot(t *testing.T, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("CI must run this test: %s", why)
	}
	t.Skip(why)
}

// sampleN returns the values of N to try among 1..count: all of them
// with -crashtest.full, else about budget of them spread evenly, always
// with the first and the last.
func sampleN(count, budget int) []int {
	if count <= 0 {
		return nil
	}
	stride := 1
	if !*full && budget > 0 && count > budget {
		stride = (count + budget - 1) / budget
	}
	var ns []int
	for n := 1; n <= count; n += stride {
		ns = append(ns, n)
	}
	if ns[len(ns)-1] != count {
		ns = append(ns, count)
	}
	if *full {
		// Counts may vary a little from run to run: go on past the
		// count until a run is not killed.
		for n := count + 1; n <= count+3; n++ {
			ns = append(ns, n)
		}
	}
	return ns
}

// sandboxIn makes a sandbox with the reference workload installed in a
// new folder under base, of the given kind, running bin; its run counters
// are in the sandbox, on base's file system. The folder is removed when
// the returned function is called.
func sandboxIn(t *testing.T, bin, base, kind string) (*Sandbox, *Workload, func()) {
	t.Helper()
	dir, err := os.MkdirTemp(base, "sb-")
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSandbox(bin, dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Kind = kind
	w := Reference(s)
	if err := w.Install(s); err != nil {
		t.Fatal(err)
	}
	return s, w, func() { _ = os.RemoveAll(dir) }
}

// crashAndRecover runs smswork in s under wrapper and env. When it is
// killed it checks the crashed state (after cut(), if any: a power cut),
// runs it to completion and checks the result; it reports whether the run
// was killed. A run that is not killed must succeed.
func crashAndRecover(t *testing.T, s *Sandbox, w *Workload, ref *Expected, label string, wrapper, env []string, cut func() error) bool {
	t.Helper()
	o, err := s.RunWrapped(wrapper, env, "run")
	if err != nil {
		t.Fatal(err)
	}
	if !o.Killed {
		if o.Code != 0 {
			t.Errorf("%s: run exit %d without a crash: %s", label, o.Code, o.Stderr)
		}
		return false
	}
	if cut != nil {
		if err := cut(); err != nil {
			t.Fatalf("%s: %v", label, err)
		}
	}
	reportViolations(t, s, "after crash at "+label, CheckCrashed(s, w))
	o, err = s.Run(nil, "run")
	if err != nil {
		t.Fatal(err)
	}
	if o.Code != 0 {
		t.Errorf("recovery after %s: exit %d: %s", label, o.Code, o.Stderr)
	}
	reportViolations(t, s, "after crash at "+label+" and recovery", CheckRecovered(s, w, ref))
	return true
}
