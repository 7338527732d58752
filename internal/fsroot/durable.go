package fsroot

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"time"
)

// TempPrefix starts the name of every temporary file this project creates
// beside a file it replaces; recovery may remove leftovers that carry it.
const TempPrefix = ".smswork-"

// SyncDir makes the entries of folder dir (creations, renames, removals)
// durable. File systems that cannot sync a folder (and Windows, whose
// metadata is journaled with the file) are tolerated, as restic does.
func SyncDir(dir string) error {
	return syncDir(dir)
}

// Options tunes WriteFile.
type Options struct {
	// Perm is the mode of a file that does not exist yet; an existing file's
	// mode and owner are kept.
	Perm os.FileMode
	// Hook, when set, runs after the temporary file is durable and before
	// it is renamed over the target; an error from it aborts the write and
	// removes the temporary file. It exists for callers that must record
	// the temporary name somewhere durable before the rename.
	Hook func(tempPath string) error
}

// WriteFile replaces path with data atomically and durably: a reader sees
// the old bytes or the new ones, never a mix, and once WriteFile returns nil
// the new bytes survive a power loss. It writes a temporary file in the same
// folder, gives it the old file's mode, owner and, where the file system
// keeps them apart from Windows (NTFS through ntfs-3g; see keepAttrsOnTemp),
// its Hidden, System and ReadOnly attributes, fsyncs it, renames it over
// path (on Windows putting those attributes back after) and fsyncs the
// folder. On error the temporary file is removed and path is unchanged
// (unless the error came from the final folder sync).
func WriteFile(path string, data []byte, opts Options) (err error) {
	dir := filepath.Dir(path)
	perm := opts.Perm
	if perm == 0 {
		perm = 0o644
	}
	old, statErr := os.Stat(path)
	if statErr != nil && !errors.Is(statErr, os.ErrNotExist) {
		return fmt.Errorf("stat %s: %w", path, statErr)
	}
	if statErr == nil {
		perm = old.Mode().Perm()
	}
	tmp, err := CreateTemp(dir, filepath.Base(path), perm)
	if err != nil {
		return err
	}
	tmpName := tmp.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmpName)
		}
	}()
	// The mode and owner are the old file's before the fsync, so that it
	// makes them durable with the bytes.
	err = writeTemp(tmp, tmpName, ReplaceOptions{Fill: func(f *os.File) error {
		if _, err := f.Write(data); err != nil {
			return fmt.Errorf("write %s: %w", tmpName, err)
		}
		if statErr == nil {
			if err := copyOwner(f, old); err != nil {
				return fmt.Errorf("keep owner of %s: %w", path, err)
			}
			if err := keepAttrsOnTemp(f, path); err != nil {
				return fmt.Errorf("keep attributes of %s: %w", path, err)
			}
		}
		return nil
	}}, nil)
	if err != nil {
		return err
	}
	if opts.Hook != nil {
		if err = SyncDir(dir); err != nil {
			return err
		}
		if err = opts.Hook(tmpName); err != nil {
			return err
		}
	}
	var attrs uint32
	if statErr == nil {
		attrs, err = getAttrs(path)
		if err != nil {
			return err
		}
	}
	if err = Rename(tmpName, path); err != nil {
		return err
	}
	if statErr == nil {
		if err = setAttrs(path, attrs); err != nil {
			return err
		}
	}
	return SyncDir(dir)
}

// Rename moves oldpath over newpath, replacing it, with the platform's
// strongest primitive (rename(2); MoveFileEx with REPLACE_EXISTING and
// WRITE_THROUGH on Windows). It does not sync the folder: call SyncDir.
func Rename(oldpath, newpath string) error {
	if err := rename(oldpath, newpath); err != nil {
		return fmt.Errorf("rename %s over %s: %w", oldpath, newpath, err)
	}
	return nil
}

// CreateTemp creates a new, empty file in dir whose name starts with
// TempPrefix and the given base, opened for writing with mode perm. The
// name is unique; the caller renames or removes it.
func CreateTemp(dir, base string, perm os.FileMode) (*os.File, error) {
	for i := 0; ; i++ {
		name := filepath.Join(dir, TempPrefix+base+"-"+strconv.FormatInt(time.Now().UnixNano()+int64(i), 36)+".tmp")
		f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_EXCL, perm)
		if err == nil {
			return f, nil
		}
		if !errors.Is(err, os.ErrExist) || i > 100 {
			return nil, fmt.Errorf("create temporary file in %s: %w", dir, err)
		}
	}
}
