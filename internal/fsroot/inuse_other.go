//go:build !windows

package fsroot

import "os"

// RenameInUse returns err: on Unix a rename replaces a file whatever holds
// it open.
func RenameInUse(_ *os.Root, _ string, err error) error { return err }
