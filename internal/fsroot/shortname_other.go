//go:build !linux

package fsroot

import "os"

// shortNames finds no short names: Windows resolves them itself, and other
// systems have no source for them.
func shortNames(*os.Root, string) (map[string]string, error) { return map[string]string{}, nil }
