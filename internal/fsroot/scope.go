package fsroot

import (
	"os"

	"smswork/ops"
)

// A read scope makes the looks an operation takes before it changes
// anything (its intent, its backup plan, case-insensitive resolution) open
// each folder once: os.Root walks a path one element at a time, opening
// every folder of it for each call, so that a copy's preparation opened
// its destination folder six times. Inside a scope, Lstat and Stat of a
// path go through a handle on the path's folder, opened on first use and
// closed when the scope ends.
//
// A scope is for reading only. A handle follows its folder, not its name:
// were the folder renamed while the scope holds it, a look through it
// would see the folder under its new name. Nothing the scope's user does
// renames a folder (it reads), and what others do meanwhile is the race
// any look at a path already has.

// readScope is the open read scope of a Drives.
type readScope struct {
	users   int                 // BeginRead calls not ended yet
	folders map[string]*os.Root // by indexKey; nil: could not be opened
}

// BeginRead opens a read scope, or joins the one open; the returned
// function ends it, and the last end closes the folder handles.
func (d *Drives) BeginRead() (end func()) {
	d.mu.Lock()
	if d.scope == nil {
		d.scope = &readScope{folders: map[string]*os.Root{}}
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
			if f != nil {
				_ = f.Close()
			}
		}
		d.scope = nil
	}
}

// inFolder returns the handle the open read scope keeps on the folder of
// p.Rel (dir) in root, and p's name in it; ok is false outside a scope,
// for a path directly in the drive's root (root itself serves it without
// an open) and when the folder cannot be opened (the caller goes through
// root, and meets the error there).
func (d *Drives) inFolder(root *os.Root, drive, rel string) (folder *os.Root, name string, ok bool) {
	dir, name := ops.SplitRel(rel)
	if dir == "" {
		return nil, "", false
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.scope == nil {
		return nil, "", false
	}
	key := indexKey(drive, dir)
	f, seen := d.scope.folders[key]
	if !seen {
		f, _ = root.OpenRoot(relName(dir))
		d.scope.folders[key] = f
	}
	return f, name, f != nil
}

// Lstat is root.Lstat of p (which does not follow a last element that is
// a link), through the read scope's handle on p's folder when a scope is
// open.
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
// the read scope's handle on p's folder when a scope is open. A link that
// leads out of the folder (but not out of the drive) is refused by the
// folder's handle: any error but a missing path is asked of the drive's
// root again, so that the answer is always the drive's.
func (d *Drives) Stat(p ops.Path) (os.FileInfo, error) {
	root, err := d.Root(p.Drive)
	if err != nil {
		return nil, err
	}
	if f, name, ok := d.inFolder(root, p.Drive, p.Rel); ok {
		fi, err := f.Stat(name)
		if err == nil || isNotExist(err) {
			return fi, err
		}
	}
	return root.Stat(relName(p.Rel))
}
