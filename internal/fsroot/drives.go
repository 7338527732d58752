package fsroot

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"smswork/ops"
)

// Drives maps the drives of DOS paths onto host folders and opens each one
// as an os.Root, so that no access through it can leave the drive through
// ".." or a symbolic link. A drive letter with no mapping is the native
// drive on Windows and an error elsewhere; the drive "" (a native absolute
// path) is the host's "/" on Unix and an error on Windows.
//
// A Drives is safe for concurrent use. Close releases the roots it opened.
type Drives struct {
	dirs map[string]string // upper-case letter -> absolute host folder

	mu    sync.Mutex
	roots map[string]*os.Root  // by drive ("" for native)
	index map[string]*dirIndex // folder names by lower case, see dirindex.go
	// listings counts folders listed into the index (for tests).
	listings int
	// scope is the open read scope, if any (see scope.go).
	scope *scope
	// attrless are the devices (st_dev) whose file system was found to
	// keep no NTFS attributes (Drives.IsReadOnly).
	attrless map[uint64]bool
}

// ParseDriveFlag parses the value of a --drive flag, `C=/mnt/image/c`: a
// drive letter A-Z in either case (returned upper-case) and an absolute
// host folder that exists (returned cleaned).
func ParseDriveFlag(s string) (letter, dir string, err error) {
	l, d, ok := strings.Cut(s, "=")
	if !ok {
		return "", "", fmt.Errorf("%w: %q: want LETTER=FOLDER, as in C=/mnt/image/c", ErrDriveFlag, s)
	}
	letter, err = ops.DriveLetter(l)
	if err != nil {
		return "", "", fmt.Errorf("%w: %q: %v", ErrDriveFlag, s, err)
	}
	dir, err = checkDriveDir(d)
	if err != nil {
		return "", "", fmt.Errorf("%w: %q: %v", ErrDriveFlag, s, err)
	}
	return letter, dir, nil
}

// NewDrives returns the drives of mapping m (letter to host folder, as
// ParseDriveFlag returns them). Letters are case-insensitive; each folder
// must be absolute and exist. No root is opened until first use.
func NewDrives(m map[string]string) (*Drives, error) {
	d := &Drives{dirs: make(map[string]string, len(m)), roots: make(map[string]*os.Root)}
	for l, dir := range m {
		letter, err := ops.DriveLetter(l)
		if err != nil {
			return nil, fmt.Errorf("%w: %q: %v", ErrDriveFlag, l, err)
		}
		if _, dup := d.dirs[letter]; dup {
			return nil, fmt.Errorf("%w: drive %s: mapped twice", ErrDriveFlag, letter)
		}
		clean, err := checkDriveDir(dir)
		if err != nil {
			return nil, fmt.Errorf("%w: drive %s: %v", ErrDriveFlag, letter, err)
		}
		d.dirs[letter] = clean
	}
	return d, nil
}

func checkDriveDir(dir string) (string, error) {
	if !filepath.IsAbs(dir) {
		return "", fmt.Errorf("folder %q is not an absolute path", dir)
	}
	dir = filepath.Clean(dir)
	fi, err := os.Stat(dir)
	if err != nil {
		return "", err
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%s is not a folder", dir)
	}
	return dir, nil
}

// hostDir returns the host folder of drive ("" for native).
func (d *Drives) hostDir(drive string) (string, error) {
	if drive == "" {
		return nativeRootDir()
	}
	letter, err := ops.DriveLetter(drive)
	if err != nil {
		return "", fmt.Errorf("%w: %v", ErrDriveUnmapped, err)
	}
	if dir, ok := d.dirs[letter]; ok {
		return dir, nil
	}
	return nativeDriveDir(letter)
}

// Root returns the os.Root of drive ("" for native paths), opening it on
// first use and keeping it until Close.
func (d *Drives) Root(drive string) (*os.Root, error) {
	if d == nil {
		return nil, fmt.Errorf("%w: no drive mappings", ErrDriveUnmapped)
	}
	key := strings.ToUpper(drive)
	d.mu.Lock()
	defer d.mu.Unlock()
	if r, ok := d.roots[key]; ok {
		return r, nil
	}
	dir, err := d.hostDir(key)
	if err != nil {
		return nil, err
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("open drive %s: %w", driveName(key), err)
	}
	if d.roots == nil {
		d.roots = make(map[string]*os.Root)
	}
	d.roots[key] = r
	return r, nil
}

func driveName(drive string) string {
	if drive == "" {
		return "(native)"
	}
	return drive + ":"
}

// Close closes every root opened so far. The Drives may be used again
// afterwards: roots are reopened on demand.
func (d *Drives) Close() error {
	if d == nil {
		return nil
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	var errs []error
	for k, r := range d.roots {
		errs = append(errs, r.Close())
		delete(d.roots, k)
	}
	return errors.Join(errs...)
}

// HostPath returns where p lies on the host, for display and for
// programs given to run. It does not access the file system, so it does not
// check symbolic links: file access goes through Root.
func (d *Drives) HostPath(p ops.Path) (string, error) {
	if d == nil {
		return "", fmt.Errorf("%w: no drive mappings", ErrDriveUnmapped)
	}
	dir, err := d.hostDir(p.Drive)
	if err != nil {
		return "", err
	}
	if p.Rel == "" {
		return dir, nil
	}
	return filepath.Join(dir, filepath.FromSlash(p.Rel)), nil
}

// Resolve returns p with each element of p.Rel replaced by the real name
// of the existing entry it means, DOS names being case-insensitive: an
// element that exists exactly as written is kept; otherwise the one entry
// of its folder that matches it case-insensitively is used (several such
// entries, none exact: ErrAmbiguous); failing both, an element written as
// an 8.3 short name (PROGRA~1) is the entry whose short name it is, where
// the file system keeps short names apart from the long ones (NTFS through
// ntfs-3g: see lookupShort; Windows resolves them itself). Elements from
// the first that does
// not exist on stay as written, and so does a last element holding a
// wildcard. The walk goes through the drive's root: a path that leaves it
// through a symbolic link is an error.
func (d *Drives) Resolve(p ops.Path) (ops.Path, error) {
	root, err := d.Root(p.Drive)
	if err != nil {
		return p, err
	}
	if p.Rel == "" {
		return p, nil
	}
	elems := strings.Split(p.Rel, "/")
	done := "" // resolved prefix
	for i, el := range elems {
		if el == "" || el == "." || el == ".." {
			return p, fmt.Errorf("%w: %s: element %q", ErrBadPath, p, el)
		}
		if i == len(elems)-1 && strings.ContainsAny(el, "*?") {
			done = joinRel(done, el)
			continue
		}
		real, exists, err := d.resolveElem(root, p.Drive, done, el)
		if err != nil {
			return p, fmt.Errorf("resolve %s: %w", p, err)
		}
		if !exists {
			rest := strings.Join(elems[i:], "/")
			return ops.Path{Drive: p.Drive, Rel: joinRel(done, rest)}, nil
		}
		done = joinRel(done, real)
	}
	return ops.Path{Drive: p.Drive, Rel: done}, nil
}

// resolveElem finds el in folder dir of drive's root: its real name and
// whether it exists at all.
func (d *Drives) resolveElem(root *os.Root, drive, dir, el string) (string, bool, error) {
	_, err := d.lstatIn(root, drive, joinRel(dir, el))
	if err == nil {
		if LooksShort(el) {
			// ntfs-3g finds some short names itself: use the long name,
			// so that one file has one path.
			if real, ok, err := d.lookupShort(root, drive, dir, el); err == nil && ok {
				return real, true, nil
			}
		}
		return el, true, nil
	}
	if !isNotExist(err) {
		return "", false, err
	}
	real, exists, err := d.lookupFold(root, drive, dir, el)
	if err != nil || exists || !LooksShort(el) {
		return real, exists, err
	}
	return d.lookupShort(root, drive, dir, el)
}

// Changed tells d that p was created, replaced or removed by someone other
// than an Executor of d (the backup folder's restore): the folder indexes
// that case-insensitive resolution keeps are brought up to date.
func (d *Drives) Changed(p ops.Path) { d.refresh(p) }

// SyncFolder makes the entries of folder p durable (a no-op where the
// platform has no folder sync); a folder that does not exist is skipped.
//
// Inside a scope the folder is synced through the scope's handle on it.
func (d *Drives) SyncFolder(p ops.Path) error {
	if err := d.syncFolder(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: %w", p, err)
	}
	return nil
}

// syncFolder is SyncFolder without its error's context.
func (d *Drives) syncFolder(p ops.Path) error {
	if !foldersSync {
		_, err := d.Root(p.Drive)
		return err
	}
	f, release, err := d.FolderFile(p)
	if err != nil {
		return fmt.Errorf("open folder %s: %w", p.Rel, err)
	}
	defer release()
	return syncFolderFile(f, p.Rel)
}

// Folders returns the host folders the drive letters are mapped onto, in
// the order of their letters (a run operation's file systems are synced
// through them).
func (d *Drives) Folders() []string {
	letters := make([]string, 0, len(d.dirs))
	for l := range d.dirs {
		letters = append(letters, l)
	}
	sort.Strings(letters)
	dirs := make([]string, 0, len(letters))
	for _, l := range letters {
		dirs = append(dirs, d.dirs[l])
	}
	return dirs
}
