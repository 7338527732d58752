package fsroot

import (
	"errors"
	"fmt"
	"os"
	"time"

	"smswork/ops"
)

// ReplaceOptions says how Replace writes the new file.
type ReplaceOptions struct {
	// Perm is the new file's mode at creation (less the umask on Unix).
	Perm os.FileMode
	// SetMode gives the new file exactly Mode once written (a backup,
	// which must keep the recorded mode whatever the umask).
	SetMode bool
	Mode    os.FileMode
	// ModTime, when set, is given to the new file before its fsync, so
	// that one fsync makes its bytes and its time durable.
	ModTime time.Time
	// Fill writes the content into the new file, opened for writing.
	Fill func(f *os.File) error
	// Synced, when set, runs once the new file is fsynced and before it
	// is closed: work done meanwhile (a hash of the source) is waited for
	// there; an error aborts the replace.
	Synced func() error
	// BeforeRename, when set, runs once the new file is durable and before
	// it is renamed over the target; an error aborts the replace.
	BeforeRename func() error
	// MapRenameErr, when set, explains an error of the rename (a Windows
	// access denial that is a file in use, see RenameInUse).
	MapRenameErr func(error) error
	// KeepTemp, when set, is asked about an error of BeforeRename or of
	// the rename: true keeps the durable temporary file (a file in use,
	// whose new bytes are handed to the next boot) instead of removing it.
	KeepTemp func(error) bool
	// AfterRename, when set, runs right after the rename (a crash point).
	AfterRename func()
	// NoFolderSync leaves the folder's sync to the caller, which replaces
	// several files in one folder and syncs it once.
	NoFolderSync bool
}

// Replace is the project's atomic durable replace of a file inside a drive
// or folder root: it creates temp (a name in folder dir of root, which must
// not exist: a leftover of a crash is the caller's to remove, as only it
// knows the name is its own) exclusively with o.Perm, lets o.Fill write it,
// gives it o.ModTime, fsyncs and closes it, renames it over name (in the
// same folder) and fsyncs the folder. A reader of name sees the old bytes
// or the new ones, never a mix; once Replace returns nil the new bytes
// survive a power loss. On an error before the rename the temporary file
// is removed and name is unchanged.
//
// Every step goes through one handle on folder dir, opened once (os.Root
// would open it again for each step): the temporary file is created,
// timed, renamed and its folder synced in the same folder, even should
// the folder be renamed meanwhile.
func Replace(root *os.Root, dir, temp, name string, o ReplaceOptions) (err error) {
	folder := root
	if dir != "" {
		if folder, err = root.OpenRoot(relName(dir)); err != nil {
			return fmt.Errorf("open folder %s: %w", dir, err)
		}
		defer func() { _ = folder.Close() }()
	}
	return replaceIn(folder, dir, temp, name, o, func() error { return syncRootDir(folder, "", dir) })
}

// Replace is fsroot.Replace of file dst, with temporary name temp in its
// folder, through the scope's handles on the folder when a scope is open
// (see BeginScope): no folder is opened for it then.
func (d *Drives) Replace(dst ops.Path, temp string, o ReplaceOptions) error {
	root, err := d.Root(dst.Drive)
	if err != nil {
		return err
	}
	dir, name := ops.SplitRel(dst.Rel)
	if dir == "" {
		return Replace(root, dir, temp, name, o)
	}
	d.mu.Lock()
	f := d.folder(root, dst.Drive, dir)
	d.mu.Unlock()
	if f == nil || f.root == nil {
		return Replace(root, dir, temp, name, o)
	}
	parent := ops.Path{Drive: dst.Drive, Rel: dir}
	return replaceIn(f.root, dir, temp, name, o, func() error { return d.syncFolder(parent) })
}

// replaceIn is Replace through folder, the handle on folder dir;
// syncFolder syncs it.
func replaceIn(folder *os.Root, dir, temp, name string, o ReplaceOptions, syncFolder func() error) (err error) {
	tmpRel, target := ops.JoinRel(dir, temp), ops.JoinRel(dir, name)
	commit, err := writeNew(folder, temp, tmpRel, o)
	if err != nil {
		return err
	}
	renamed := false
	defer func() {
		if err != nil && !renamed && (o.KeepTemp == nil || !o.KeepTemp(err)) {
			_ = folder.Remove(temp)
		}
	}()
	if o.BeforeRename != nil {
		if err := o.BeforeRename(); err != nil {
			return err
		}
	}
	if err := folder.Rename(temp, name); err != nil {
		if o.MapRenameErr != nil {
			err = o.MapRenameErr(err)
		}
		return fmt.Errorf("rename %s over %s: %w", tmpRel, target, err)
	}
	renamed = true
	if o.AfterRename != nil {
		o.AfterRename()
	}
	if o.NoFolderSync {
		return nil
	}
	if err := syncFolder(); err != nil && !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if commit {
		if err := commitFileSystem(folder, name); err != nil {
			return fmt.Errorf("commit the file system of %s: %w", target, err)
		}
	}
	return nil
}

// WriteNew is the first half of Replace: it creates file rel of root
// exclusively with o.Perm, lets o.Fill write it, gives it o.Mode (with
// o.SetMode) and o.ModTime, fsyncs it, runs o.Synced and closes it. On
// error the file is removed. The rename options of o are not used: a
// caller that puts the file in place itself (a restore, which may link
// instead of copy) renames it and syncs the folder.
func WriteNew(root *os.Root, rel string, o ReplaceOptions) (err error) {
	_, err = writeNew(root, rel, rel, o)
	return err
}

// writeNew is WriteNew of file rel of root, named shown in errors. commit
// says the file's file system must commit its transaction once the file
// is renamed into place (renameNeedsCommit).
func writeNew(root *os.Root, rel, shown string, o ReplaceOptions) (commit bool, err error) {
	f, err := root.OpenFile(relName(rel), os.O_WRONLY|os.O_CREATE|os.O_EXCL, o.Perm)
	if err != nil {
		return false, fmt.Errorf("create %s: %w", shown, err)
	}
	commit = renameNeedsCommit(f)
	ok := false
	defer func() {
		if err != nil && !ok {
			_ = root.Remove(relName(rel))
		}
	}()
	err = writeTemp(f, shown, o, func() error {
		return root.Chtimes(relName(rel), time.Time{}, o.ModTime)
	})
	ok = err == nil
	return commit, err
}

// writeTemp is what every atomic write does to its new file, in this
// order: fill it, give it its mode and time, fsync it, wait for o.Synced,
// close it. f is closed whatever happens.
func writeTemp(f *os.File, name string, o ReplaceOptions, setTime func() error) (err error) {
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("close %s: %w", name, cerr)
		}
	}()
	if o.Fill != nil {
		if err := o.Fill(f); err != nil {
			return err
		}
	}
	if o.SetMode {
		if err := f.Chmod(o.Mode); err != nil {
			return fmt.Errorf("set mode of %s: %w", name, err)
		}
	}
	if !o.ModTime.IsZero() {
		if err := setTime(); err != nil {
			return fmt.Errorf("set time of %s: %w", name, err)
		}
	}
	err = f.Sync()
	if o.Synced != nil {
		if serr := o.Synced(); err == nil && serr != nil {
			return serr
		}
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", name, err)
	}
	return nil
}

// SyncFolderFile makes the entries of folder f (open, named shown in
// errors) durable, tolerating file systems that cannot sync a folder; a
// no-op on Windows, as SyncDir is.
func SyncFolderFile(f *os.File, shown string) error { return syncFolderFile(f, shown) }

// SyncFile makes the data and metadata of file rel of root durable (a time
// set by Chtimes included): the file is opened, fsynced and closed. A
// no-op on Windows, whose file system journals a file's metadata.
func SyncFile(root *os.Root, rel string) error { return SyncRootFile(root, rel) }

// SyncPath makes the data and metadata of the file at host path durable.
func SyncPath(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sync %s: %w", path, err)
	}
	return nil
}
