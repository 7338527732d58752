package crashtest

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Sandbox is one throw-away machine image: drives C and D, a folder of run
// counters beside them (outside the drives, on the same file system: the
// crashed disk of a power-loss test), SMS.INI on drive C and the journal
// beside it.
type Sandbox struct {
	Dir      string
	Bin      string
	C, D     string
	Counters string
	Ini      string
	Journal  string
	// Kind names the kind of crash this sandbox tests, for the report
	// (Tally); empty means "failpoint".
	Kind string
}

// kind is s.Kind, or "failpoint" when unset.
func (s *Sandbox) kind() string {
	if s.Kind == "" {
		return "failpoint"
	}
	return s.Kind
}

// NewSandbox lays out the folders of a sandbox in dir.
func NewSandbox(bin, dir string) (*Sandbox, error) {
	s := &Sandbox{Dir: dir, Bin: bin, C: filepath.Join(dir, "c"), D: filepath.Join(dir, "d"),
		Counters: filepath.Join(dir, "counters")}
	s.Ini = filepath.Join(s.C, "SMS.INI")
	s.Journal = filepath.Join(dir, "journal.db")
	for _, d := range []string{s.C, s.D, s.Counters} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Args returns the global flags that point smswork at the sandbox.
func (s *Sandbox) Args(cmd ...string) []string {
	return append([]string{"--ini", s.Ini, "--journal", s.Journal, "--drive", "C=" + s.C, "--drive", "D=" + s.D, "--log-format", "json"}, cmd...)
}

// Outcome is how one smswork process ended.
type Outcome struct {
	Code   int  // exit status, -1 when killed
	Killed bool // ended by SIGKILL
	Stdout string
	Stderr string
}

// Run runs smswork with the sandbox's flags, args, and extra environment.
func (s *Sandbox) Run(env []string, args ...string) (Outcome, error) {
	return s.RunWrapped(nil, env, args...)
}

// RunWrapped runs smswork under a wrapper command (strace ...), if any.
func (s *Sandbox) RunWrapped(wrapper []string, env []string, args ...string) (Outcome, error) {
	argv := append(append(append([]string{}, wrapper...), s.Bin), s.Args(args...)...)
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	start := time.Now()
	err := cmd.Run()
	o := Outcome{Stdout: out.String(), Stderr: errb.String()}
	defer func() { tally.process(s.kind(), time.Since(start), o.Killed) }()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		o.Code = ee.ExitCode()
		if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL {
			o.Killed = true
		}
		// strace reports the traced process's death by signal as its
		// own exit status 128+9.
		if wrapper != nil && o.Code == 137 {
			o.Killed = true
		}
	default:
		return o, fmt.Errorf("run %v: %w", argv, err)
	}
	return o, nil
}

// Tree is a snapshot of a folder: slash path -> "dir", or the file's mode
// and SHA-256.
type Tree map[string]string

// Snapshot records every file and folder under root, skipping names for
// which skip returns true.
func Snapshot(root string, skip func(rel string) bool) (Tree, error) {
	t := Tree{}
	err := walkTree(root, skip, func(rel, p string, d fs.DirEntry) error {
		if d.IsDir() {
			t[rel] = "dir"
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		t[rel] = fmt.Sprintf("%d bytes %s", len(data), hex.EncodeToString(sum[:8]))
		return nil
	})
	return t, err
}

// walkTree calls fn for every entry under root (not root itself) with
// its slash path relative to root, skipping names (and what is below
// them) for which skip returns true.
func walkTree(root string, skip func(rel string) bool, fn func(rel, p string, d fs.DirEntry) error) error {
	return filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if rel == "." {
			return nil
		}
		if skip != nil && skip(rel) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		return fn(rel, p, d)
	})
}

// Diff lists the differences between want and got, sorted.
func (want Tree) Diff(got Tree) []string {
	var d []string
	for k, v := range want {
		if g, ok := got[k]; !ok {
			d = append(d, "missing "+k)
		} else if g != v {
			d = append(d, fmt.Sprintf("differs %s: want %s, got %s", k, v, g))
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			d = append(d, "extra "+k)
		}
	}
	sort.Strings(d)
	return d
}

// Counts reads the run counters: file name -> lines.
func (s *Sandbox) Counts() (map[string]int, error) {
	es, err := os.ReadDir(s.Counters)
	if err != nil {
		return nil, err
	}
	c := map[string]int{}
	for _, e := range es {
		data, err := os.ReadFile(filepath.Join(s.Counters, e.Name()))
		if err != nil {
			return nil, err
		}
		c[e.Name()] = strings.Count(string(data), "\n")
	}
	return c, nil
}
