package backup

import (
	"fmt"
	"os"
	"strconv"
	"strings"

	"smswork/ops"
)

// Name is the backup file name of Backups[i] of attempt attempt of
// operation seq: "<seq>-<attempt>-<i>".
func Name(seq uint64, attempt, i int) string {
	return strconv.FormatUint(seq, 10) + "-" + strconv.Itoa(attempt) + "-" + strconv.Itoa(i)
}

// checkName refuses a backup file name Name could not have made, so that
// no journal record can make the store touch a file outside its folder.
func checkName(name string) error {
	if name == "" || strings.Trim(name, "0123456789-") != "" {
		return fmt.Errorf("%w: backup file name %q", ErrBadRecord, name)
	}
	return nil
}

// checkPath refuses a Path that is not in the resolved form ops.Path
// documents, or that is a drive root.
func checkPath(p ops.Path) error {
	if p.Rel == "" {
		return fmt.Errorf("%w: path %q: a drive root", ErrBadRecord, p.Rel)
	}
	if err := ops.CheckPath(p); err != nil {
		return fmt.Errorf("%w: %v", ErrBadRecord, err)
	}
	return nil
}

// fileMode is the part of a recorded ops.Backup.Mode that Chmod sets.
func fileMode(m uint32) os.FileMode {
	return os.FileMode(m) & (os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky)
}

// chmodBits is the part of fi's mode that fileMode keeps, for comparing.
func chmodBits(fi os.FileInfo) os.FileMode {
	return fileMode(uint32(fi.Mode()))
}
