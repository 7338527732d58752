package crashtest

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

var (
	full    = flag.Bool("crashtest.full", false, "sweep every crash point, not the sample")
	binPath string
)

// TestMain builds the real smswork binary once for every test here.
func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "smswork-crashtest-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "smswork")
	out, err := exec.Command("go", "build", "-o", binPath, "smswork/cmd/smswork").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build smswork: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// newSandbox makes a sandbox under t.TempDir with the reference workload
// installed.
func newSandbox(t *testing.T) (*Sandbox, *Workload) {
	t.Helper()
	s, err := NewSandbox(binPath, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	w := Reference(s)
	if err := w.Install(s); err != nil {
		t.Fatal(err)
	}
	return s, w
}

// reference runs the workload once without a crash.
func reference(t *testing.T) *Expected {
	t.Helper()
	s, err := NewSandbox(binPath, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ref, err := RunReference(s, Reference(s))
	if err != nil {
		t.Fatal(err)
	}
	if v := CheckRecovered(s, Reference(s), ref); len(v) > 0 {
		t.Fatalf("the crash-free run breaks the promises itself: %v", v)
	}
	return ref
}
