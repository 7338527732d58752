package fsroot

import (
	"fmt"
	"os"
	"strings"

	"smswork/ops"
)

// A scope makes one operation open each folder it works in once: os.Root
// walks a path one element at a time, opening every folder of it for each
// call, so that a copy over a file opened its destination folder seven
// times between its preparation and its folder's fsync. Inside a scope,
// the calls that take a path (At, Lstat, Stat, FolderFile, SyncFolder)
// go through a handle on the path's folder, opened on first use and
// closed when the scope ends.
//
// A handle follows its folder, not its name: were the folder renamed or
// removed while the scope holds it, a look through it would see the folder
// under its new name, or a folder that is gone. Whoever renames, removes
// or creates a folder inside a scope calls ForgetFolder for it, before and
// after (the executor's move, ren, md and rd do); what other processes do
// meanwhile is the race any look at a path already has. A scope ends
// before an operation is undone (a restore renames folders back).

// scope is the open scope of a Drives.
type scope struct {
	users   int                     // BeginScope calls not ended yet
	folders map[string]*scopeFolder // by indexKey
}

// scopeFolder is a folder a scope has looked into.
type scopeFolder struct {
	root *os.Root // nil: could not be opened
	// file is the folder itself, opened through root on first need (an
	// fsync, a hard link's linkat), as os.Root gives no descriptor.
	file *os.File
}

func (f *scopeFolder) close() {
	if f.file != nil {
		_ = f.file.Close()
	}
	if f.root != nil {
		_ = f.root.Close()
	}
}

// BeginScope opens a scope, or joins the one open; the returned function
// ends it, and the last end closes the folder handles.
func (d *Drives) BeginScope() (end func()) {
	d.mu.Lock()
	if d.scope == nil {
		d.scope = &scope{folders: map[string]*scopeFolder{}}
	}
	d.scope.users++
	d.mu.Unlock()
	ended := false
	return func() {
		d.mu.Lock()
		defer d.mu.Unlock()
		if ended {
			return
		}
		ended = true
		if d.scope.users--; d.scope.users > 0 {
			return
		}
		for _, f := range d.scope.folders {
			f.close()
		}
		d.scope = nil
	}
}

// ForgetFolder closes the handles the open scope keeps on folder p and on every
// folder inside it, and forgets what it found (a folder that could not be
// opened may exist now): the next use opens them again by name. Nothing
// happens outside a scope.
func (d *Drives) ForgetFolder(p ops.Path) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.scope == nil {
		return
	}
	key := indexKey(p.Drive, p.Rel)
	for k, f := range d.scope.folders {
		if k == key || p.Rel == "" && strings.HasPrefix(k, p.Drive+"\x00") || strings.HasPrefix(k, key+"/") {
			f.close()
			delete(d.scope.folders, k)
		}
	}
}

// folder returns the scope's entry for folder dir (not "") of drive,
// opened on first use; nil outside a scope. The caller holds d.mu.
func (d *Drives) folder(root *os.Root, drive, dir string) *scopeFolder {
	if d.scope == nil {
		return nil
	}
	key := indexKey(drive, dir)
	f, seen := d.scope.folders[key]
	if !seen {
		f = &scopeFolder{}
		f.root, _ = root.OpenRoot(relName(dir))
		d.scope.folders[key] = f
	}
	return f
}

// atLocked returns where a call on rel of drive (whose root is root)
// goes, and the name to give it there: the scope's handle on rel's folder
// and rel's last element, or root and rel's whole name (outside a scope,
// for a path directly in the root, and when the folder cannot be opened:
// the call meets the error). The caller holds d.mu.
func (d *Drives) atLocked(root *os.Root, drive, rel string) (*os.Root, string) {
	dir, name := ops.SplitRel(rel)
	if dir != "" {
		if f := d.folder(root, drive, dir); f != nil && f.root != nil {
			return f.root, name
		}
	}
	return root, relName(rel)
}

// folderStatLocked is root.Stat of folder dir, through the scope's handle
// on it when there is one. The caller holds d.mu.
func (d *Drives) folderStatLocked(root *os.Root, drive, dir string) (os.FileInfo, error) {
	if dir != "" {
		if f := d.folder(root, drive, dir); f != nil && f.root != nil {
			return f.root.Stat(".")
		}
	}
	return root.Stat(relName(dir))
}

// inFolder returns the handle the open scope keeps on the folder of rel
// (dir) in root, and rel's name in it; ok is false when the call goes
// through root (see atLocked).
func (d *Drives) inFolder(root *os.Root, drive, rel string) (folder *os.Root, name string, ok bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	folder, name = d.atLocked(root, drive, rel)
	return folder, name, folder != root
}

// At returns where a call on path p goes, and the name to give it there:
// inside a scope, the scope's handle on p's folder and p's last element;
// otherwise (or when the folder cannot be opened: the error comes from the
// call) the drive's root and p's whole relative name. p is not resolved
// (see Resolve), and its last element is not followed by the root calls
// that do not follow links (Lstat, Remove, Rename).
func (d *Drives) At(p ops.Path) (root *os.Root, name string, err error) {
	root, err = d.Root(p.Drive)
	if err != nil {
		return nil, "", err
	}
	if f, name, ok := d.inFolder(root, p.Drive, p.Rel); ok {
		return f, name, nil
	}
	return root, relName(p.Rel), nil
}

// FolderFile returns folder p opened (for an fsync, or a call that takes
// a descriptor): inside a scope, the scope's handle, which release leaves
// open; otherwise one opened through the drive's root, which release
// closes.
func (d *Drives) FolderFile(p ops.Path) (f *os.File, release func(), err error) {
	root, err := d.Root(p.Drive)
	if err != nil {
		return nil, nil, err
	}
	if p.Rel != "" {
		d.mu.Lock()
		sf := d.folder(root, p.Drive, p.Rel)
		if sf != nil && sf.root != nil {
			if sf.file == nil {
				sf.file, err = sf.root.Open(".")
			}
			f = sf.file
		}
		d.mu.Unlock()
		if f != nil {
			return f, func() {}, nil
		}
		if err != nil {
			return nil, nil, err
		}
	}
	if f, err = root.Open(relName(p.Rel)); err != nil {
		return nil, nil, err
	}
	return f, func() { _ = f.Close() }, nil
}

// Following calls fn with where a call on p that follows links inside
// the drive goes (root.Open, Stat, Chtimes) and the name to give it: as
// At, through the scope's handle on p's folder when a scope is open. A
// link that leads out of the folder is refused by the folder's handle:
// on any error but a missing path fn is called again with the drive's
// root, so that the answer is always the drive's.
func (d *Drives) Following(p ops.Path, fn func(root *os.Root, name string) error) error {
	root, err := d.Root(p.Drive)
	if err != nil {
		return err
	}
	if f, name, ok := d.inFolder(root, p.Drive, p.Rel); ok {
		if err := fn(f, name); err == nil || isNotExist(err) {
			return err
		}
	}
	return fn(root, relName(p.Rel))
}

// Open opens file p for reading (root.Open: links inside the drive are
// followed), through the scope's handle on p's folder (see Following).
func (d *Drives) Open(p ops.Path) (f *os.File, err error) {
	err = d.Following(p, func(root *os.Root, name string) (err error) {
		f, err = root.Open(name)
		return err
	})
	return f, err
}

// Lstat is root.Lstat of p (which does not follow a last element that is
// a link), through the scope's handle on p's folder when a scope is open.
func (d *Drives) Lstat(p ops.Path) (os.FileInfo, error) {
	root, err := d.Root(p.Drive)
	if err != nil {
		return nil, err
	}
	return d.lstatIn(root, p.Drive, p.Rel)
}

func (d *Drives) lstatIn(root *os.Root, drive, rel string) (os.FileInfo, error) {
	if f, name, ok := d.inFolder(root, drive, rel); ok {
		return f.Lstat(name)
	}
	return root.Lstat(relName(rel))
}

// Stat is root.Stat of p (which follows links inside the drive), through
// the scope's handle on p's folder when a scope is open (see Following).
func (d *Drives) Stat(p ops.Path) (fi os.FileInfo, err error) {
	err = d.Following(p, func(root *os.Root, name string) (err error) {
		fi, err = root.Stat(name)
		return err
	})
	return fi, err
}

// Rename renames src to dst, two paths of one drive, as the drive root's
// Rename does (neither last element is followed). Inside a scope, where
// the platform renames between two open folders (renameat on Unix), it
// goes through the scope's handles on both folders; otherwise through the
// drive's root, which walks both paths.
func (d *Drives) Rename(src, dst ops.Path) error {
	root, err := d.Root(src.Drive)
	if err != nil {
		return err
	}
	if src.Drive != dst.Drive {
		return fmt.Errorf("rename %s to %s: %w", src, dst, ErrBadPath)
	}
	if foldersRename && d.inScope() && plainName(src.Base()) && plainName(dst.Base()) {
		sf, srelease, serr := d.FolderFile(src.Parent())
		if serr == nil {
			defer srelease()
			df, drelease, derr := d.FolderFile(dst.Parent())
			if derr == nil {
				defer drelease()
				if err := renameat(sf, src.Base(), df, dst.Base()); err != nil {
					return &os.LinkError{Op: "renameat", Old: src.Rel, New: dst.Rel, Err: err}
				}
				return nil
			}
		}
	}
	return root.Rename(relName(src.Rel), relName(dst.Rel))
}

// inScope reports whether a scope is open.
func (d *Drives) inScope() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.scope != nil
}

// plainName reports whether name is one element naming an entry of its
// folder: not empty, no separator, not "." or "..".
func plainName(name string) bool {
	return name != "" && name != "." && name != ".." && !strings.ContainsAny(name, `/\`)
}
