//go:build linux

package fsroot

import (
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// shortNames reads the 8.3 short names ntfs-3g shows for the entries of
// folder dir as the extended attribute system.ntfs_dos_name, by upper
// case. The folder is opened through the root and each entry read by its
// name under /proc/self/fd, never following a link: nothing outside the
// root is reached. A file system that keeps no short names has none.
func shortNames(root *os.Root, dir string) (map[string]string, error) {
	f, err := root.Open(relName(dir))
	if err != nil {
		if isNotExist(err) {
			return map[string]string{}, nil
		}
		return nil, err
	}
	defer f.Close()
	base := "/proc/self/fd/" + strconv.Itoa(int(f.Fd())) + "/"
	out := map[string]string{}
	var buf [64]byte
	err = EachEntry(root, dir, func(e os.DirEntry) error {
		n, err := unix.Lgetxattr(base+e.Name(), ntfsDOSName, buf[:])
		switch {
		case err != nil && (noXattr(err) || isNotExist(err)):
			return nil
		case err != nil:
			return err
		}
		out[strings.ToUpper(string(buf[:n]))] = e.Name()
		return nil
	})
	return out, err
}
