package backup

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

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
	if len(p.Drive) > 1 || (p.Drive != "" && !('A' <= p.Drive[0] && p.Drive[0] <= 'Z')) {
		return fmt.Errorf("%w: drive %q", ErrBadRecord, p.Drive)
	}
	if p.Rel == "" || strings.Contains(p.Rel, `\`) {
		return fmt.Errorf("%w: path %q", ErrBadRecord, p.Rel)
	}
	for el := range strings.SplitSeq(p.Rel, "/") {
		if el == "" || el == "." || el == ".." {
			return fmt.Errorf("%w: path %q", ErrBadRecord, p.Rel)
		}
	}
	return nil
}

// relName turns a Path.Rel into a name for an os.Root method.
func relName(rel string) string {
	if rel == "" {
		return "."
	}
	return filepath.FromSlash(rel)
}

// joinRel joins slash-separated parts of a Path.Rel.
func joinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	return dir + "/" + name
}

// splitRel splits rel into its folder and last element.
func splitRel(rel string) (dir, name string) {
	i := strings.LastIndex(rel, "/")
	if i < 0 {
		return "", rel
	}
	return rel[:i], rel[i+1:]
}

// parentOf returns the folder holding p.
func parentOf(p ops.Path) ops.Path {
	dir, _ := splitRel(p.Rel)
	return ops.Path{Drive: p.Drive, Rel: dir}
}

// isNotExist reports whether err says a path does not exist, including a
// path whose parent is a file.
func isNotExist(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// fileMode is the part of a recorded ops.Backup.Mode that Chmod sets.
func fileMode(m uint32) os.FileMode {
	return os.FileMode(m) & (os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky)
}

// chmodBits is the part of fi's mode that fileMode keeps, for comparing.
func chmodBits(fi os.FileInfo) os.FileMode {
	return fileMode(uint32(fi.Mode()))
}
