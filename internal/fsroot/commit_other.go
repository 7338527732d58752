//go:build !linux

package fsroot

import "os"

// renameNeedsCommit is Linux's btrfs case (see commit_linux.go): never here.
func renameNeedsCommit(*os.File) bool { return false }

// commitFileSystem is never called here (renameNeedsCommit).
func commitFileSystem(*os.Root, string) error { return nil }
