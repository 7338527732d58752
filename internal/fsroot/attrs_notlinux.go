//go:build !linux

package fsroot

import "os"

// readOnlyAttr is isReadOnly; no file system here answers that it keeps
// no attributes (none is false: nothing is remembered), and isReadOnly
// opens nothing.
func readOnlyAttr(root *os.Root, rel string, fi os.FileInfo) (ro, none bool, err error) {
	ro, err = isReadOnly(root, rel, fi)
	return ro, false, err
}

// deviceOf is not needed here (readOnlyAttr opens nothing).
func deviceOf(os.FileInfo) (uint64, bool) { return 0, false }
