package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

var binPath string

// TestMain builds the real binary: the end-to-end tests run it as a
// process, the way a boot does.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "smswork-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binPath = filepath.Join(dir, "smswork")
	if out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	_ = os.RemoveAll(dir)
	os.Exit(code)
}

// box is a sandbox: drive C in dir/c, SMS.INI on it, the journal beside.
type box struct {
	t       *testing.T
	dir, c  string
	ini     string
	journal string
	// conf is the configuration file every command of the box reads
	// ($SMSWORK_CONFIG; empty unless a test writes it): never the
	// machine's own.
	conf string
}

func newBox(t *testing.T, ini string, files map[string]string) *box {
	t.Helper()
	dir := t.TempDir()
	b := &box{t: t, dir: dir, c: filepath.Join(dir, "c"), journal: filepath.Join(dir, "journal.db"), conf: filepath.Join(dir, "smswork.conf")}
	b.ini = filepath.Join(b.c, "SMS.INI")
	if err := os.WriteFile(b.conf, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		p := filepath.Join(b.c, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(name, "/") {
			continue
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(b.c, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b.ini, []byte(ini), 0o644); err != nil {
		t.Fatal(err)
	}
	return b
}

// smswork runs the binary against the box and returns its exit status,
// stdout and stderr.
func (b *box) smswork(args ...string) (int, string, string) {
	b.t.Helper()
	return b.smsworkEnv(nil, args...)
}

// plain runs the binary with args alone, no sandbox flags.
func (b *box) plain(args ...string) (int, string, string) {
	b.t.Helper()
	return b.exec(nil, args)
}

// smsworkEnv is smswork with extra environment variables.
func (b *box) smsworkEnv(env []string, args ...string) (int, string, string) {
	b.t.Helper()
	full := append([]string{"--ini", b.ini, "--journal", b.journal, "--drive", "C=" + b.c, "--log-format", "json"}, args...)
	return b.exec(env, full)
}

// exec runs the binary and returns its exit status (-1 when killed),
// stdout and stderr.
func (b *box) exec(env, args []string) (int, string, string) {
	b.t.Helper()
	cmd := exec.Command(binPath, args...)
	cmd.Env = append(append(os.Environ(), "SMSWORK_CONFIG="+b.conf), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		b.t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), out.String(), errb.String()
}

func (b *box) read(name string) string {
	b.t.Helper()
	data, err := os.ReadFile(filepath.Join(b.c, filepath.FromSlash(name)))
	if err != nil {
		b.t.Fatal(err)
	}
	return string(data)
}

func (b *box) exists(name string) bool {
	_, err := os.Lstat(filepath.Join(b.c, filepath.FromSlash(name)))
	return err == nil
}
