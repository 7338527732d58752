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
