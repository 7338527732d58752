package main

import (
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// setShortNames gives entries under root the 8.3 names NTFS keeps for
// them (ntfs-3g's system.ntfs_dos_name), as Windows would have made them.
func setShortNames(t *testing.T, root string, names map[string]string) {
	t.Helper()
	for rel, short := range names {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := unix.Setxattr(p, "system.ntfs_dos_name", []byte(short), 0); err != nil {
			t.Fatalf("short name %s of %s: %v", short, p, err)
		}
	}
}
