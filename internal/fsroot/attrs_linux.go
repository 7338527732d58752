//go:build linux

package fsroot

import (
	"encoding/binary"
	"errors"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// ntfsAttrib is the extended attribute through which ntfs-3g shows an NTFS
// file's attributes, 4 bytes big-endian; ntfsDOSName its 8.3 short name.
const (
	ntfsAttrib  = "system.ntfs_attrib_be"
	ntfsDOSName = "system.ntfs_dos_name"
)

// noXattr reports an error meaning the file system keeps no such
// attribute.
func noXattr(err error) bool {
	return errors.Is(err, unix.ENODATA) || errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EOPNOTSUPP)
}

func fileAttrs(f *os.File) (uint32, bool, error) {
	attrs, kept, _, err := readAttrs(f)
	return attrs, kept, err
}

// readAttrs reads f's NTFS attributes: kept is false where there are
// none, and none also says the file system keeps no such attribute at all
// (ENOTSUP, EOPNOTSUPP; not ENODATA, which a file system that keeps them
// may answer for one file).
func readAttrs(f *os.File) (attrs uint32, kept, none bool, err error) {
	var b [4]byte
	n, err := unix.Fgetxattr(int(f.Fd()), ntfsAttrib, b[:])
	switch {
	case err != nil && (errors.Is(err, unix.ENOTSUP) || errors.Is(err, unix.EOPNOTSUPP)):
		return 0, false, true, nil
	case err != nil && noXattr(err):
		return 0, false, false, nil
	case err != nil:
		return 0, false, false, err
	case n != 4:
		return 0, false, false, nil
	}
	return binary.BigEndian.Uint32(b[:]), true, false, nil
}

func setFileAttrs(f *os.File, attrs uint32) error {
	_, kept, err := fileAttrs(f)
	if err != nil || !kept {
		return err
	}
	var b [4]byte
	binary.BigEndian.PutUint32(b[:], attrs)
	return unix.Fsetxattr(int(f.Fd()), ntfsAttrib, b[:], 0)
}

// keepAttrsOnTemp gives tmp, about to replace path, the Hidden, System
// and ReadOnly attributes of path where ntfs-3g keeps them (a file renamed
// over another has its own attributes, not the replaced file's). They are
// set on the temporary file, before its fsync and the rename, so that
// SMS.INI never exists without them.
func keepAttrsOnTemp(tmp *os.File, path string) error {
	var b [4]byte
	n, err := unix.Getxattr(path, ntfsAttrib, b[:])
	if err != nil {
		if noXattr(err) || errors.Is(err, unix.ENOENT) {
			return nil
		}
		return err
	}
	if n != 4 {
		return nil
	}
	old := binary.BigEndian.Uint32(b[:])
	cur, kept, err := fileAttrs(tmp)
	if err != nil || !kept {
		return err
	}
	return setFileAttrs(tmp, cur&^keptAttrMask|old&keptAttrMask)
}

func isReadOnly(root *os.Root, rel string, fi os.FileInfo) (bool, error) {
	ro, _, err := readOnlyAttr(root, rel, fi)
	return ro, err
}

// readOnlyAttr is isReadOnly, and whether the file system said it keeps
// no attributes at all (readAttrs).
func readOnlyAttr(root *os.Root, rel string, fi os.FileInfo) (ro, none bool, err error) {
	f, err := root.Open(relName(rel))
	if err != nil {
		return false, false, err
	}
	defer f.Close()
	a, kept, none, err := readAttrs(f)
	if err != nil || !kept {
		return modeReadOnly(fi), none, err
	}
	return a&AttrReadOnly != 0, false, nil
}

// deviceOf is the device (st_dev) of the file fi describes.
func deviceOf(fi os.FileInfo) (uint64, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return uint64(st.Dev), true
}

func makeWritable(root *os.Root, rel string, fi os.FileInfo) error {
	f, err := root.Open(relName(rel))
	if err != nil {
		return err
	}
	a, kept, err := fileAttrs(f)
	if err == nil && kept && a&AttrReadOnly != 0 {
		err = setFileAttrs(f, a&^AttrReadOnly)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil || kept {
		return err
	}
	return chmodWritable(root, rel, fi)
}
