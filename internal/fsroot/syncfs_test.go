package fsroot

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestSyncFileSystems: folders that exist are synced without error (on
// Windows, where this process may not flush a volume, as under Wine or
// as a user, the error must say so: ErrCannotFlush). On Unix a folder
// that does not exist gives an error naming it, and no other folder; on
// Windows it still names its volume, which is flushed.
func TestSyncFileSystems(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	missing := filepath.Join(a, "no-such-folder")
	cases := []struct {
		name        string
		dirs        []string
		wantMissing bool
	}{
		{"one folder", []string{a}, false},
		{"two folders of one file system, one twice", []string{a, b, a}, false},
		{"a missing folder among others", []string{a, missing, b}, runtime.GOOS != "windows"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := SyncFileSystems(c.dirs)
			if runtime.GOOS == "windows" && errors.Is(err, ErrCannotFlush) {
				t.Logf("this process cannot flush the volume: %v", err)
				return
			}
			switch {
			case c.wantMissing && (err == nil || !strings.Contains(err.Error(), missing)):
				t.Errorf("SyncFileSystems(%q) = %v, want an error naming %s", c.dirs, err, missing)
			case c.wantMissing && (strings.Contains(err.Error(), a+" ") || strings.Contains(err.Error(), b)):
				t.Errorf("error %v names a folder that exists", err)
			case !c.wantMissing && err != nil:
				t.Errorf("SyncFileSystems(%q) = %v", c.dirs, err)
			}
		})
	}
}

// TestSyncFileSystems_Everything: no folder means every file system.
func TestSyncFileSystems_Everything(t *testing.T) {
	if err := SyncFileSystems(nil); err != nil && !(runtime.GOOS == "windows" && errors.Is(err, ErrCannotFlush)) {
		t.Fatal(err)
	}
}

func TestMain(m *testing.M) {
	if dirs := os.Getenv(helperEnv); dirs != "" {
		var list []string // "-": none
		if dirs != "-" {
			list = strings.Split(dirs, string(os.PathListSeparator))
		}
		if err := SyncFileSystems(list); err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// helperEnv makes the test binary a helper that syncs the folders listed
// in it ("-" for none) and exits (syncfs_linux_test.go counts its system
// calls).
const helperEnv = "SMSWORK_FSROOT_SYNC_HELPER"
