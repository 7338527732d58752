//go:build !linux

package main

import "testing"

// setShortNames needs ntfs-3g, on Linux only.
func setShortNames(t *testing.T, _ string, _ map[string]string) {
	t.Skip("8.3 names on NTFS are set through ntfs-3g, on Linux")
}
