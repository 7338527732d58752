//go:build !linux && !windows

package fsroot

import "os"

// Unix file systems other than Linux's ntfs-3g keep no Windows attributes.

func fileAttrs(*os.File) (uint32, bool, error) { return 0, false, nil }
func setFileAttrs(*os.File, uint32) error      { return nil }
func keepAttrsOnTemp(*os.File, string) error   { return nil }

func isReadOnly(_ *os.Root, _ string, fi os.FileInfo) (bool, error) { return modeReadOnly(fi), nil }

func makeWritable(root *os.Root, rel string, fi os.FileInfo) error {
	return chmodWritable(root, rel, fi)
}

// readOnlyAttr is isReadOnly; no file system here answers that it keeps
// no attributes (none is false: nothing is remembered).
func readOnlyAttr(root *os.Root, rel string, fi os.FileInfo) (ro, none bool, err error) {
	ro, err = isReadOnly(root, rel, fi)
	return ro, false, err
}

// deviceOf is not needed here (readOnlyAttr opens nothing).
func deviceOf(os.FileInfo) (uint64, bool) { return 0, false }
