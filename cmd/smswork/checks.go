package main

import (
	"errors"
	"fmt"
	"strings"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// unmappedDrive returns the first drive op names that has no mapping (and
// no native meaning: every drive on Unix, none on Windows), or "".
func unmappedDrive(d *fsroot.Drives, op *ops.Op) string {
	var drives []string
	for _, p := range op.Paths() {
		if p.Drive != "" {
			drives = append(drives, p.Drive)
		}
	}
	if op.Kind == ops.KindRun && len(op.Argv) > 0 {
		if a := op.Argv[0]; len(a) >= 3 && a[1] == ':' && (a[2] == '\\' || a[2] == '/') {
			drives = append(drives, strings.ToUpper(a[:1]))
		}
	}
	for _, l := range drives {
		if _, err := d.HostPath(ops.Path{Drive: l}); errors.Is(err, fsroot.ErrDriveUnmapped) {
			return strings.ToUpper(l)
		}
	}
	return ""
}

// unmappedMsg says how to map drive letter.
func unmappedMsg(letter string) string {
	return fmt.Sprintf("drive %s: is not mapped (map it under [drives] in the configuration file, %s = /path/to/folder, or with --drive %s=/path/to/folder)", letter, letter, letter)
}
