//go:build windows

package fsroot

import (
	"os"
	"unsafe"

	"golang.org/x/sys/windows"
)

func fileAttrs(f *os.File) (uint32, bool, error) {
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(windows.Handle(f.Fd()), &info); err != nil {
		return 0, false, err
	}
	return info.FileAttributes, true, nil
}

// fileBasicInfo is FILE_BASIC_INFO: zero times are left unchanged.
type fileBasicInfo struct {
	CreationTime, LastAccessTime, LastWriteTime, ChangeTime int64
	FileAttributes                                          uint32
	_                                                       uint32
}

func setFileAttrs(f *os.File, attrs uint32) error {
	if attrs == 0 {
		attrs = windows.FILE_ATTRIBUTE_NORMAL
	}
	info := fileBasicInfo{FileAttributes: attrs}
	return windows.SetFileInformationByHandle(windows.Handle(f.Fd()), windows.FileBasicInfo, (*byte)(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info)))
}

// keepAttrsOnTemp does nothing on Windows: WriteFile puts the attributes
// back after the rename (getAttrs, setAttrs), which also clears a
// ReadOnly that would refuse it.
func keepAttrsOnTemp(*os.File, string) error { return nil }

// isReadOnly reads the ReadOnly attribute from fi: Go shows it as a mode
// without write permission.
func isReadOnly(_ *os.Root, _ string, fi os.FileInfo) (bool, error) { return modeReadOnly(fi), nil }

// makeWritable clears the ReadOnly attribute: Go's Chmod with the owner's
// write bit does.
func makeWritable(root *os.Root, rel string, fi os.FileInfo) error {
	return chmodWritable(root, rel, fi)
}
