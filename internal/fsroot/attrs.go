package fsroot

import (
	"fmt"
	"os"
)

// The Windows file attributes this package reads and sets (FILE_ATTRIBUTE_*).
// On Windows they are the file's own; on Linux, NTFS mounted by ntfs-3g
// keeps them as the extended attribute system.ntfs_attrib_be (4 bytes,
// big-endian); other file systems keep none, and a file is read-only there
// when no one may write it.
const (
	AttrReadOnly uint32 = 0x01
	AttrHidden   uint32 = 0x02
	AttrSystem   uint32 = 0x04
	AttrArchive  uint32 = 0x20

	// keptAttrMask is what a rewrite keeps and a copy carries over.
	keptAttrMask = AttrReadOnly | AttrHidden | AttrSystem
)

// Attributes returns the Windows attributes of the open file f, and
// whether its file system keeps any (false on Linux file systems other
// than NTFS through ntfs-3g, with attrs 0).
func Attributes(f *os.File) (attrs uint32, kept bool, err error) {
	attrs, kept, err = fileAttrs(f)
	if err != nil {
		return 0, false, fmt.Errorf("read attributes of %s: %w", f.Name(), err)
	}
	return attrs, kept, nil
}

// SetAttributes sets the Windows attributes of the open file f where its
// file system keeps them; elsewhere it does nothing.
func SetAttributes(f *os.File, attrs uint32) error {
	if err := setFileAttrs(f, attrs); err != nil {
		return fmt.Errorf("set attributes of %s: %w", f.Name(), err)
	}
	return nil
}

// CopyAttributes gives dst, a new copy of src, the attributes Windows'
// copy gives it: the source's ReadOnly, Hidden and System, plus Archive
// (CopyFile copies a file's attributes and the new file is marked for
// backup). A source on a file system that keeps no attributes is
// read-only when its mode lets no one write it. Where dst's file system
// keeps no attributes nothing is done: the copy's mode, taken from the
// source, already says read-only.
func CopyAttributes(src, dst *os.File) error {
	a, kept, err := Attributes(src)
	if err != nil {
		return err
	}
	if !kept {
		a = 0
		if fi, err := src.Stat(); err == nil && fi.Mode().Perm()&0o222 == 0 {
			a = AttrReadOnly
		}
	}
	return SetAttributes(dst, a&keptAttrMask|AttrArchive)
}

// IsReadOnly reports whether file rel of root, whose Lstat is fi, is
// read-only as DOS sees it (del refuses it without /f, copy and move do
// not replace it): its ReadOnly attribute where the file system keeps
// one, else no write permission for anyone. Only regular files are.
func IsReadOnly(root *os.Root, rel string, fi os.FileInfo) (bool, error) {
	if !fi.Mode().IsRegular() {
		return false, nil
	}
	return isReadOnly(root, rel, fi)
}

// IsReadOnly is IsReadOnly for a file of d's drives, which remembers the
// file systems that keep no NTFS attributes (any but ntfs-3g's and the
// kernel's ntfs3): once one has answered so, the files on it are judged by
// their mode without being opened to ask (a del and a copy over a file
// opened it for that alone: an open and a close, Go's four fcntl calls
// and the failed fgetxattr, every time).
func (d *Drives) IsReadOnly(root *os.Root, rel string, fi os.FileInfo) (bool, error) {
	if d == nil || !fi.Mode().IsRegular() {
		return IsReadOnly(root, rel, fi)
	}
	dev, ok := deviceOf(fi)
	if ok && d.attrlessDevice(dev) {
		return modeReadOnly(fi), nil
	}
	ro, none, err := readOnlyAttr(root, rel, fi)
	if ok && none && err == nil {
		d.setAttrless(dev)
	}
	return ro, err
}

// attrlessDevice reports whether d found that device dev keeps no NTFS
// attributes.
func (d *Drives) attrlessDevice(dev uint64) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.attrless[dev]
}

// setAttrless records that device dev keeps no NTFS attributes.
func (d *Drives) setAttrless(dev uint64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.attrless == nil {
		d.attrless = make(map[uint64]bool)
	}
	d.attrless[dev] = true
}

// MakeWritable clears what makes file rel of root read-only (del /f): its
// ReadOnly attribute, and on a file system that keeps none the missing
// write permission (the owner's write bit is added).
func MakeWritable(root *os.Root, rel string, fi os.FileInfo) error {
	if err := makeWritable(root, rel, fi); err != nil {
		return fmt.Errorf("clear read-only: %w", err)
	}
	return nil
}

// modeReadOnly is the read-only test of a file system that keeps no
// attributes: no one may write the file.
func modeReadOnly(fi os.FileInfo) bool { return fi.Mode().Perm()&0o222 == 0 }

// chmodWritable gives the owner write permission on rel.
func chmodWritable(root *os.Root, rel string, fi os.FileInfo) error {
	if fi.Mode().Perm()&0o200 != 0 {
		return nil
	}
	return root.Chmod(relName(rel), fi.Mode().Perm()|0o200)
}
