package backup

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"smswork/internal/fsroot"
)

// Store is the backup folder: it keeps the prior content of the files
// operations overwrite or remove (Capture), puts paths back (Restore) and
// forgets backups no longer needed (Remove). Every access to the folder
// goes through an open handle of it, and every access to a drive through
// the drive's root. A Store is not safe for concurrent use.
type Store struct {
	dir  string
	d    *fsroot.Drives
	root *os.Root // the folder
	// dirf is the folder opened, for the *at system calls that link
	// across it and a drive (Unix).
	dirf *os.File
	// copyOnly makes Capture and Restore copy instead of trying a hard
	// link (tests cover both ways with it).
	copyOnly bool
}

// Open opens the backup folder dir (made absolute), creating it and any
// missing parent with mode 0700 when it does not exist, durably: the
// folder holding each one created is synced. d maps the paths of the
// backups onto the host. Close releases the folder.
func Open(dir string, d *fsroot.Drives) (*Store, error) {
	if d == nil {
		return nil, fmt.Errorf("backup folder %s: no drives", dir)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("backup folder %s: %w", dir, err)
	}
	if err := mkdirDurable(abs); err != nil {
		return nil, err
	}
	root, err := os.OpenRoot(abs)
	if err != nil {
		return nil, fmt.Errorf("open backup folder: %w", err)
	}
	dirf, err := root.Open(".")
	if err != nil {
		_ = root.Close()
		return nil, fmt.Errorf("open backup folder %s: %w", abs, err)
	}
	return &Store{dir: abs, d: d, root: root, dirf: dirf}, nil
}

// mkdirDurable creates dir and its missing parents (0700), then syncs the
// folder that holds each one it created, shallowest first.
func mkdirDurable(dir string) error {
	var missing []string
	for p := dir; ; {
		fi, err := os.Stat(p)
		if err == nil {
			if !fi.IsDir() {
				return fmt.Errorf("backup folder %s: %s is not a folder", dir, p)
			}
			break
		}
		if !fsroot.IsNotExist(err) {
			return fmt.Errorf("backup folder %s: %w", dir, err)
		}
		missing = append(missing, p)
		parent := filepath.Dir(p)
		if parent == p {
			break
		}
		p = parent
	}
	if len(missing) == 0 {
		return nil
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create backup folder: %w", err)
	}
	for i := len(missing) - 1; i >= 0; i-- {
		if err := fsroot.SyncDir(filepath.Dir(missing[i])); err != nil {
			return fmt.Errorf("create backup folder %s: %w", dir, err)
		}
	}
	return nil
}

// Dir returns the absolute path of the backup folder.
func (s *Store) Dir() string { return s.dir }

// Close releases the folder. The Drives given to Open stay open.
func (s *Store) Close() error {
	return errors.Join(s.dirf.Close(), s.root.Close())
}

// sync makes the folder's entries durable, through the handle the Store
// holds on it.
func (s *Store) sync() error {
	if err := fsroot.SyncFolderFile(s.dirf, s.dir); err != nil {
		return fmt.Errorf("backup folder: %w", err)
	}
	return nil
}

// tempName is the temporary file an interrupted copy of backup name may
// leave in the folder.
func tempName(name string) string { return fsroot.TempPrefix + name + ".tmp" }

// Remove deletes the named backup files, and any temporary file left by
// an interrupted copy of them; a file already absent is fine. The folder
// is synced once, at the end.
func (s *Store) Remove(names []string) error {
	for _, name := range names {
		if err := checkName(name); err != nil {
			return err
		}
		for _, n := range []string{name, tempName(name)} {
			if err := s.root.Remove(n); err != nil && !fsroot.IsNotExist(err) {
				return fmt.Errorf("remove backup %s: %w", n, err)
			}
		}
	}
	return s.sync()
}

// Usage returns what the folder holds: the bytes of its files (the sum of
// their sizes, a file with several names in the folder counted once) and
// the number of file names in it.
func (s *Store) Usage() (bytes int64, files int, err error) {
	return usage(s.root)
}

// Usage is Store.Usage of folder dir without opening a Store (which would
// create the folder): an error satisfying errors.Is(err, os.ErrNotExist)
// says there is no folder.
func Usage(dir string) (bytes int64, files int, err error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return 0, 0, fmt.Errorf("backup folder: %w", err)
	}
	defer root.Close()
	return usage(root)
}

func usage(root *os.Root) (bytes int64, files int, err error) {
	f, err := root.Open(".")
	if err != nil {
		return 0, 0, fmt.Errorf("open backup folder: %w", err)
	}
	defer f.Close()
	bySize := map[int64][]os.FileInfo{}
	for {
		names, rerr := f.Readdirnames(1024)
		for _, name := range names {
			fi, err := root.Lstat(name)
			if err != nil {
				if fsroot.IsNotExist(err) {
					continue
				}
				return 0, 0, fmt.Errorf("backup %s: %w", name, err)
			}
			if !fi.Mode().IsRegular() {
				continue
			}
			files++
			if fi.Size() > 0 && !seen(bySize[fi.Size()], fi) {
				bytes += fi.Size()
				bySize[fi.Size()] = append(bySize[fi.Size()], fi)
			}
		}
		if rerr == io.EOF {
			return bytes, files, nil
		}
		if rerr != nil {
			return 0, 0, fmt.Errorf("read backup folder: %w", rerr)
		}
	}
}

// seen reports whether fi is the same file as one of fis.
func seen(fis []os.FileInfo, fi os.FileInfo) bool {
	for _, o := range fis {
		if os.SameFile(o, fi) {
			return true
		}
	}
	return false
}
