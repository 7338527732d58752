package smsini

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// Environment of a child process started by TestAppend_Concurrent: it
// appends one entry to a file and exits.
const (
	envAppendPath  = "SMSINI_TEST_APPEND_PATH"
	envAppendEntry = "SMSINI_TEST_APPEND_ENTRY"
)

func TestMain(m *testing.M) {
	if path := os.Getenv(envAppendPath); path != "" {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := Append(ctx, path, []string{os.Getenv(envAppendEntry)})
		cancel()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

func writeFile(t *testing.T, path, data string, perm os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), perm); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, perm); err != nil {
		t.Fatal(err)
	}
}

func readString(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestWrite_File(t *testing.T) {
	t.Run("keeps mode", func(t *testing.T) {
		if runtime.GOOS == "windows" {
			t.Skip("no Unix modes on Windows")
		}
		p := filepath.Join(t.TempDir(), "SMS.INI")
		writeFile(t, p, kbExample, 0o600)
		f, err := Read(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := Write(p, f, f.Texts()[1:]); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Fatalf("mode = %v, want 0600", st.Mode().Perm())
		}
		if got, want := readString(t, p), "[SMS Work]\r\nPendingWork=del c:\\temp\\netapi.dll\r\n"; got != want {
			t.Fatalf("file = %q, want %q", got, want)
		}
	})
	t.Run("creates missing", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "SMS.INI")
		f, err := Read(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := Write(p, f, []string{"md c:\\x"}); err != nil {
			t.Fatal(err)
		}
		if got, want := readString(t, p), "[SMS Work]\r\nPendingWork=md c:\\x\r\n"; got != want {
			t.Fatalf("file = %q, want %q", got, want)
		}
	})
	bad := []struct {
		name    string
		entries []string
		hook    func(string) error
		want    error
	}{
		{"invalid entry", []string{"del a", "del b, del c"}, nil, ErrInvalidEntry},
		{"empty entry", []string{""}, nil, ErrInvalidEntry},
		{"blanks around", []string{" del a"}, nil, ErrInvalidEntry},
		{"quote", []string{`del "a`}, nil, ErrUnterminatedQuote},
		{"newline", []string{"del a\r\nX=1"}, nil, ErrLineBreak},
		{"entry too long", []string{strings.Repeat("x", MaxEntryLen+1)}, nil, ErrEntryTooLong},
		{"hook fails", []string{"del a"}, func(string) error { return errBoom }, errBoom},
	}
	for _, tt := range bad {
		t.Run("failure leaves file: "+tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "SMS.INI")
			writeFile(t, p, kbExample, 0o644)
			f, err := Read(p)
			if err != nil {
				t.Fatal(err)
			}
			err = WriteWithHook(p, f, tt.entries, tt.hook)
			if !errors.Is(err, tt.want) {
				t.Fatalf("Write = %v, want %v", err, tt.want)
			}
			if got := readString(t, p); got != kbExample {
				t.Fatalf("file changed to %q", got)
			}
			names, err := os.ReadDir(dir)
			if err != nil || len(names) != 1 {
				t.Fatalf("folder holds %v, %v; want only SMS.INI", names, err)
			}
		})
	}
	t.Run("hook sees durable temp", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "SMS.INI")
		writeFile(t, p, kbExample, 0o644)
		f, err := Read(p)
		if err != nil {
			t.Fatal(err)
		}
		var seen string
		err = WriteWithHook(p, f, nil, func(tmp string) error {
			seen = readString(t, tmp)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if want := "[SMS Work]\r\nPendingWork=\r\n"; seen != want || readString(t, p) != want {
			t.Fatalf("temp %q, file %q, want %q", seen, readString(t, p), want)
		}
	})
}

var errBoom = errors.New("boom")

func TestAppend_File(t *testing.T) {
	t.Run("appends after existing", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "SMS.INI")
		writeFile(t, p, kbExample, 0o644)
		if err := Append(context.Background(), p, []string{"run c:\\x.exe", "copy c:\\a+,,"}); err != nil {
			t.Fatal(err)
		}
		want := "[SMS Work]\r\nPendingWork=copy c:\\temp\\netapi.dll c:\\windows\\system\\netapi.dll /y, del c:\\temp\\netapi.dll, run c:\\x.exe, copy c:\\a+,,\r\n"
		if got := readString(t, p); got != want {
			t.Fatalf("file = %q, want %q", got, want)
		}
	})
	t.Run("malformed file untouched", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "SMS.INI")
		const bad = "PendingWork=a\r\n[SMS Work]\r\n"
		writeFile(t, p, bad, 0o644)
		err := Append(context.Background(), p, []string{"del x"})
		if err == nil || err.Error() != p+":1:1: PendingWork is outside any section; put it under [SMS Work]" {
			t.Fatalf("Append = %v", err)
		}
		if got := readString(t, p); got != bad {
			t.Fatalf("file changed to %q", got)
		}
	})
	t.Run("invalid entry refused before lock", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "SMS.INI")
		if err := Append(context.Background(), p, []string{"a,b"}); !errors.Is(err, ErrInvalidEntry) {
			t.Fatalf("Append = %v", err)
		}
		if _, err := os.Stat(LockPath(p)); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("lock file made: %v", err)
		}
	})
	t.Run("waits for the lock", func(t *testing.T) {
		p := filepath.Join(t.TempDir(), "SMS.INI")
		l, err := Lock(context.Background(), p)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		err = Append(ctx, p, []string{"del a"})
		if uerr := l.Unlock(); uerr != nil {
			t.Fatal(uerr)
		}
		if err == nil {
			t.Fatal("Append succeeded while the lock was held")
		}
		if _, err := os.Stat(p); !errors.Is(err, os.ErrNotExist) {
			t.Fatalf("file written without the lock: %v", err)
		}
	})
}

// TestAppend_Concurrent starts 50 processes that each append one entry at
// the same time; every entry must end up in the file exactly once.
func TestAppend_Concurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("starts 50 processes")
	}
	const n = 50
	p := filepath.Join(t.TempDir(), "SMS.INI")
	writeFile(t, p, "; queue\r\n[SMS Work]\r\nPendingWork=del c:\\first\r\n", 0o644)
	cmds := make([]*exec.Cmd, n)
	outs := make([]strings.Builder, n)
	for i := range cmds {
		c := exec.Command(os.Args[0], "-test.run=^$")
		c.Env = append(os.Environ(), envAppendPath+"="+p, fmt.Sprintf("%s=del c:\\e%02d", envAppendEntry, i))
		c.Stdout, c.Stderr = &outs[i], &outs[i]
		cmds[i] = c
	}
	for i, c := range cmds {
		if err := c.Start(); err != nil {
			t.Fatalf("start child %d: %v", i, err)
		}
	}
	for i, c := range cmds {
		if err := c.Wait(); err != nil {
			t.Errorf("child %d: %v: %s", i, err, outs[i].String())
		}
	}
	f, err := Read(p)
	if err != nil {
		t.Fatal(err)
	}
	got := f.Texts()
	if len(got) != n+1 || got[0] != `del c:\first` {
		t.Fatalf("file holds %d entries: %q", len(got), got)
	}
	slices.Sort(got[1:])
	for i := range n {
		if want := fmt.Sprintf(`del c:\e%02d`, i); got[i+1] != want {
			t.Fatalf("entry %d = %q, want %q (all: %q)", i+1, got[i+1], want, got)
		}
	}
	if !strings.HasPrefix(readString(t, p), "; queue\r\n[SMS Work]\r\nPendingWork=del c:\\first, ") {
		t.Fatalf("file = %q", readString(t, p))
	}
}
