//go:build !windows

package ops

import "os"

// renameInUse returns err: on Unix a rename replaces a file whatever holds
// it open.
func renameInUse(_ *os.Root, _ string, err error) error { return err }
