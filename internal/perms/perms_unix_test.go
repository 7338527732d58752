//go:build !windows

package perms

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// privateDir is a fresh folder of mode 0700 whose parents pass the rules
// (t.TempDir lies under the sticky /tmp, or a private folder).
func privateDir(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	if err := os.Chmod(d, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := Check(Target{What: "base", Path: filepath.Join(d, "x")}); err != nil {
		t.Skipf("the test folder itself fails the rules: %v", err)
	}
	return d
}

func write(t *testing.T, p string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(p, []byte("[SMS Work]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name    string
		setup   func(t *testing.T, dir string) string // returns the target path
		want    []string                              // substrings of the error; none: no error
		notWant string
	}{
		{name: "private file", setup: func(t *testing.T, d string) string {
			write(t, filepath.Join(d, "SMS.INI"), 0o644)
			return filepath.Join(d, "SMS.INI")
		}},
		{name: "missing file in a private folder", setup: func(t *testing.T, d string) string {
			return filepath.Join(d, "journal.db")
		}},
		{name: "world-writable file", setup: func(t *testing.T, d string) string {
			write(t, filepath.Join(d, "SMS.INI"), 0o646)
			return filepath.Join(d, "SMS.INI")
		}, want: []string{"SMS.INI " + "DIR/SMS.INI is world-writable (mode 0646)"}},
		{name: "group-writable file", setup: func(t *testing.T, d string) string {
			write(t, filepath.Join(d, "SMS.INI"), 0o664)
			return filepath.Join(d, "SMS.INI")
		}, want: []string{"is group-writable (mode 0664)"}},
		{name: "group-writable folder", setup: func(t *testing.T, d string) string {
			sub := filepath.Join(d, "sub")
			if err := os.Mkdir(sub, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(sub, 0o770); err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(sub, "SMS.INI"), 0o600)
			return filepath.Join(sub, "SMS.INI")
		}, want: []string{"SMS.INI's folder DIR/sub is group-writable (mode 0770)"}},
		{name: "sticky world-writable folder", setup: func(t *testing.T, d string) string {
			sub := filepath.Join(d, "tmp")
			if err := os.Mkdir(sub, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(sub, 0o777|os.ModeSticky); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(sub, "SMS.INI") // missing: the folder is still checked
		}, want: []string{"SMS.INI's folder DIR/tmp is group- and world-writable (sticky", "(mode 1777)"}},
		{name: "sticky world-writable parent", setup: func(t *testing.T, d string) string {
			tmp := filepath.Join(d, "tmp")
			if err := os.Mkdir(tmp, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(tmp, 0o777|os.ModeSticky); err != nil {
				t.Fatal(err)
			}
			own := filepath.Join(tmp, "own")
			if err := os.Mkdir(own, 0o700); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(own, "SMS.INI")
		}},
		{name: "world-writable parent", setup: func(t *testing.T, d string) string {
			up := filepath.Join(d, "up")
			if err := os.MkdirAll(filepath.Join(up, "own"), 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(up, 0o777); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(up, "own", "SMS.INI")
		}, want: []string{"SMS.INI's parent folder DIR/up is group- and world-writable (mode 0777)"}},
		{name: "link to a world-writable file", setup: func(t *testing.T, d string) string {
			other := filepath.Join(d, "other")
			if err := os.Mkdir(other, 0o700); err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(other, "real.ini"), 0o666)
			if err := os.Symlink(filepath.Join(other, "real.ini"), filepath.Join(d, "SMS.INI")); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(d, "SMS.INI")
		}, want: []string{"DIR/other/real.ini is group- and world-writable (mode 0666)"}},
		{name: "link into a world-writable folder", setup: func(t *testing.T, d string) string {
			other := filepath.Join(d, "other")
			if err := os.Mkdir(other, 0o700); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(other, 0o777); err != nil {
				t.Fatal(err)
			}
			if err := os.Symlink(other, filepath.Join(d, "link")); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(d, "link", "SMS.INI")
		}, want: []string{"SMS.INI's folder DIR/other is group- and world-writable (mode 0777)"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := privateDir(t)
			p := tc.setup(t, d)
			err := Check(Target{What: "SMS.INI", Path: p})
			if len(tc.want) == 0 {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInsecure) {
				t.Fatalf("Check = %v, want ErrInsecure", err)
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Check = %v, not a *Error", err)
			}
			msg := strings.ReplaceAll(err.Error(), d, "DIR")
			for _, w := range tc.want {
				if !strings.Contains(msg, w) {
					t.Errorf("error %q\nwant it to hold %q", msg, w)
				}
			}
		})
	}
}

// TestCheck_Owner checks that a file owned by another user is refused.
// It needs root, to give the file away.
func TestCheck_Owner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to change a file's owner")
	}
	d := privateDir(t)
	p := filepath.Join(d, "SMS.INI")
	write(t, p, 0o644)
	if err := os.Lchown(p, 65534, 65534); err != nil {
		t.Skipf("chown: %v", err)
	}
	err := Check(Target{What: "SMS.INI", Path: p})
	if !errors.Is(err, ErrInsecure) || !strings.Contains(err.Error(), "is owned by uid 65534") {
		t.Fatalf("Check = %v", err)
	}
	// A link owned by another user, to a file of ours, is refused too:
	// whoever owns a link in a sticky folder can replace it.
	if err := os.Lchown(p, 0, 0); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(d, "link.ini")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	if err := os.Lchown(link, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	if err := Check(Target{What: "SMS.INI", Path: link}); !errors.Is(err, ErrInsecure) || !strings.Contains(err.Error(), link+" is owned by uid 65534") {
		t.Fatalf("Check(link) = %v", err)
	}
}

// TestCheck_Shared checks that a folder two targets share is checked by
// the stricter rule and reported once.
func TestCheck_Shared(t *testing.T) {
	d := privateDir(t)
	tmp := filepath.Join(d, "tmp")
	if err := os.MkdirAll(filepath.Join(tmp, "c"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(tmp, 0o777|os.ModeSticky); err != nil {
		t.Fatal(err)
	}
	// tmp is a parent of SMS.INI (sticky: fine) but the journal's folder.
	err := Check(Target{What: "SMS.INI", Path: filepath.Join(tmp, "c", "SMS.INI")}, Target{What: "the journal", Path: filepath.Join(tmp, "j.db")})
	if err == nil || strings.Count(err.Error(), tmp+" ") != 1 || !strings.Contains(err.Error(), "folder "+tmp) {
		t.Fatalf("Check = %v", err)
	}
}
