package fsroot

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"syscall"
)

// isNotExist reports whether err says a path does not exist, including a
// path whose parent is a file.
func isNotExist(err error) bool {
	return errors.Is(err, os.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)
}

// IsNotExist reports whether err says a path does not exist, including a
// path whose parent is a file.
func IsNotExist(err error) bool { return isNotExist(err) }

// IsEmptyDir reports whether folder rel of root holds no entry.
func IsEmptyDir(root *os.Root, rel string) (bool, error) {
	f, err := root.Open(relName(rel))
	if err != nil {
		return false, err
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if err == io.EOF {
		return true, nil
	}
	return len(names) == 0, err
}

// HashFile returns the SHA-256 (hex) and size of file rel of root, read
// through buf (a 64 KiB buffer of its own when buf is nil).
func HashFile(root *os.Root, rel string, buf []byte) (string, int64, error) {
	if buf == nil {
		buf = make([]byte, 64<<10)
	}
	f, err := root.Open(relName(rel))
	if err != nil {
		return "", 0, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.CopyBuffer(h, readerOnly{f}, buf)
	if err != nil {
		return "", n, err
	}
	return hex.EncodeToString(h.Sum(nil)), n, nil
}

// readerOnly hides a reader's WriteTo (and a file's ReadFrom paths), so
// that io.CopyBuffer uses the buffer it is given.
type readerOnly struct{ io.Reader }
