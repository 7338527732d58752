//go:build !windows

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRun_Permissions checks that run refuses, with exit status 2 and
// nothing executed, an SMS.INI or journal others can change, and that
// --insecure-permissions runs anyway with a warning.
func TestRun_Permissions(t *testing.T) {
	const ini = "[SMS Work]\r\nPendingWork=md c:\\made\r\n"
	chmod := func(t *testing.T, p string, m os.FileMode) {
		t.Helper()
		if err := os.Chmod(p, m); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name  string
		setup func(t *testing.T, b *box)
		want  func(b *box) string
	}{
		{"world-writable SMS.INI", func(t *testing.T, b *box) { chmod(t, b.ini, 0o666) },
			func(b *box) string { return "SMS.INI " + b.ini + " is group- and world-writable (mode 0666)" }},
		{"world-writable bit only", func(t *testing.T, b *box) { chmod(t, b.ini, 0o602) },
			func(b *box) string { return "SMS.INI " + b.ini + " is world-writable (mode 0602)" }},
		{"group-writable folder", func(t *testing.T, b *box) { chmod(t, b.c, 0o775) },
			func(b *box) string { return "SMS.INI's folder " + b.c + " is group-writable (mode 0775)" }},
		{"sticky world-writable folder", func(t *testing.T, b *box) { chmod(t, b.c, 0o777|os.ModeSticky) },
			func(b *box) string { return "SMS.INI's folder " + b.c + " is group- and world-writable (sticky" }},
		{"world-writable journal", func(t *testing.T, b *box) {
			if err := os.WriteFile(b.journal, nil, 0o600); err != nil {
				t.Fatal(err)
			}
			chmod(t, b.journal, 0o646)
		}, func(b *box) string { return "the journal " + b.journal + " is world-writable (mode 0646)" }},
		{"group-writable journal folder", func(t *testing.T, b *box) { chmod(t, b.dir, 0o770) },
			func(b *box) string { return "the journal's folder " + b.dir + " is group-writable (mode 0770)" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := newBox(t, ini, nil)
			tc.setup(t, b)
			before := b.read("SMS.INI")
			code, stdout, stderr := b.smswork("run")
			if code != exitUsage {
				t.Fatalf("exit %d, want %d\nstdout %s\nstderr %s", code, exitUsage, stdout, stderr)
			}
			if want := tc.want(b); !strings.Contains(stderr, want) || !strings.Contains(stderr, "--insecure-permissions") {
				t.Errorf("stderr %q\nwant it to hold %q and name --insecure-permissions", stderr, want)
			}
			if b.exists("made") || b.read("SMS.INI") != before {
				t.Error("something ran")
			}
			if fi, err := os.Stat(b.journal); err == nil && fi.Size() > 0 {
				t.Error("the journal was written")
			}

			code, stdout, stderr = b.smswork("run", "--insecure-permissions")
			if code != exitOK || !b.exists("made") {
				t.Fatalf("--insecure-permissions: exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
			}
			if !strings.Contains(stderr, `"level":"warn"`) || !strings.Contains(stderr, "--insecure-permissions") || !strings.Contains(stderr, tc.want(b)) {
				t.Errorf("no warning naming the problem: %s", stderr)
			}
		})
	}
	t.Run("owned by another user", func(t *testing.T) {
		if os.Geteuid() != 0 {
			t.Skip("needs root to give SMS.INI away")
		}
		b := newBox(t, ini, nil)
		if err := os.Chown(b.ini, 65534, 65534); err != nil {
			t.Skip(err)
		}
		code, _, stderr := b.smswork("run")
		if code != exitUsage || !strings.Contains(stderr, "SMS.INI "+b.ini+" is owned by uid 65534") {
			t.Fatalf("exit %d, stderr %s", code, stderr)
		}
	})
	t.Run("private files", func(t *testing.T) {
		b := newBox(t, ini, nil)
		chmod(t, b.ini, 0o600)
		chmod(t, b.c, 0o700)
		if code, stdout, stderr := b.smswork("run"); code != exitOK {
			t.Fatalf("exit %d\nstdout %s\nstderr %s", code, stdout, stderr)
		}
		if fi, err := os.Stat(filepath.Join(b.journal)); err != nil || fi.Mode().Perm()&0o022 != 0 {
			t.Errorf("journal %v %v", fi, err)
		}
	})
}
