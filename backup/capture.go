package backup

import (
	"fmt"
	"io"
	"os"
	"time"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// Capture puts in the folder every PriorFile backup of in that is not
// there yet: a hard link to the file where the file system allows one,
// else a durable copy (fsynced, with the recorded mode and modification
// time, renamed into place). Each file must still be the regular file of
// the recorded size and modification time (else ErrChanged, naming it).
// The folder is synced once at the end, when in has PriorFile backups.
//
// Capture is idempotent: a backup already in the folder is kept, and a
// copy a crash interrupted is removed and made again. The caller
// journals the intent before capturing, and runs the operation only once
// Capture has returned nil.
func (s *Store) Capture(in *ops.Intent) error {
	if in == nil {
		return fmt.Errorf("%w: no intent", ErrBadRecord)
	}
	hasFiles := false
	for _, b := range in.Backups {
		if b.Prior != ops.PriorFile {
			continue
		}
		hasFiles = true
		if err := s.capture(b); err != nil {
			return err
		}
	}
	if !hasFiles {
		return nil
	}
	return s.sync()
}

// capture puts backup b in the folder unless it is there.
func (s *Store) capture(b ops.Backup) error {
	if err := checkName(b.Name); err != nil {
		return err
	}
	if err := checkPath(b.Path); err != nil {
		return err
	}
	if _, err := s.root.Lstat(b.Name); err == nil {
		return nil
	} else if !fsroot.IsNotExist(err) {
		return fmt.Errorf("backup %s of %s: %w", b.Name, b.Path, err)
	}
	fi, err := s.d.Lstat(b.Path)
	if err != nil {
		if fsroot.IsNotExist(err) {
			return fmt.Errorf("back up %s: now absent: %w", b.Path, ErrChanged)
		}
		return fmt.Errorf("back up %s: %w", b.Path, err)
	}
	if err := checkRecorded(b, fi); err != nil {
		return err
	}
	if err := s.root.Remove(tempName(b.Name)); err != nil && !fsroot.IsNotExist(err) {
		return fmt.Errorf("remove leftover backup %s: %w", tempName(b.Name), err)
	}
	if !s.copyOnly && s.linkIn(b.Path, b.Name) == nil {
		return nil
	}
	return s.copyIn(b)
}

// checkRecorded fails with ErrChanged unless fi is the regular file b
// records.
func checkRecorded(b ops.Backup, fi os.FileInfo) error {
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("back up %s: no longer a file: %w", b.Path, ErrChanged)
	}
	if fi.Size() != b.Size || !fi.ModTime().Equal(b.ModTime) {
		return fmt.Errorf("back up %s: now %d bytes modified %s, recorded %d bytes modified %s: %w",
			b.Path, fi.Size(), fi.ModTime().Format(time.RFC3339Nano), b.Size, b.ModTime.Format(time.RFC3339Nano), ErrChanged)
	}
	return nil
}

// copyIn copies file b.Path into the folder as b.Name, durably: a
// temporary file, written, given the recorded mode and modification time,
// fsynced, renamed to the name. The folder is not synced.
func (s *Store) copyIn(b ops.Backup) (err error) {
	tmp := tempName(b.Name)
	src, err := s.d.Open(b.Path)
	if err != nil {
		return fmt.Errorf("back up %s: %w", b.Path, err)
	}
	defer src.Close()
	fi, err := src.Stat()
	if err != nil {
		return fmt.Errorf("back up %s: %w", b.Path, err)
	}
	if err := checkRecorded(b, fi); err != nil {
		return err
	}
	if err := fsroot.Replace(s.root, "", tmp, b.Name, copyOptions(src, b)); err != nil {
		return fmt.Errorf("back up %s: %w", b.Path, err)
	}
	return nil
}

// copyOptions writes a durable copy of src, the file b records: it checks
// that b.Size bytes were copied and gives the copy the mode and
// modification time b records. The folder's sync is the caller's.
func copyOptions(src io.Reader, b ops.Backup) fsroot.ReplaceOptions {
	return fsroot.ReplaceOptions{
		Perm:    0o600,
		SetMode: true,
		Mode:    fileMode(b.Mode),
		ModTime: b.ModTime,
		Fill: func(f *os.File) error {
			n, err := io.Copy(f, src)
			if err == nil && n != b.Size {
				err = fmt.Errorf("read %d bytes, recorded %d: %w", n, b.Size, ErrChanged)
			}
			return err
		},
		NoFolderSync: true,
	}
}
