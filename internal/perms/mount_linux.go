//go:build linux

package perms

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/sys/unix"
)

// Magic numbers of statfs(2) for the file systems whose modes are made up
// by mount options.
const (
	fuseMagic  = 0x65735546 // FUSE (fuse, fuseblk): ntfs-3g
	ntfs3Magic = 0x7366746e // the kernel's ntfs3
)

// madeUpModes returns the mount p lies on when that is NTFS, served by
// ntfs-3g (FUSE, which keeps the NTFS attributes as the extended attribute
// system.ntfs_attrib_be; other FUSE file systems are not concerned) or by
// the kernel's ntfs3, and nil otherwise.
func madeUpModes(p string) *Mount {
	var st unix.Statfs_t
	if err := unix.Statfs(p, &st); err != nil {
		return nil
	}
	switch uint32(st.Type) {
	case ntfs3Magic:
	case fuseMagic:
		var b [4]byte
		if _, err := unix.Getxattr(p, "system.ntfs_attrib_be", b[:]); err != nil {
			return nil
		}
	default:
		return nil
	}
	m := mountOf(p)
	if m == nil {
		return &Mount{Point: "?", Source: "?", FSType: "ntfs"}
	}
	return m
}

// mountOf returns the entry of /proc/self/mountinfo whose mount point is
// the longest prefix of p's real path.
func mountOf(p string) *Mount {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		real = p
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	defer f.Close()
	var best *Mount
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		// id parent major:minor root point options [optional...] - fstype source superoptions
		fields := strings.Fields(sc.Text())
		sep := -1
		for i, fl := range fields {
			if fl == "-" {
				sep = i
				break
			}
		}
		if len(fields) < 5 || sep < 0 || sep+2 >= len(fields) {
			continue
		}
		point := unescapeMount(fields[4])
		if !(real == point || point == "/" || strings.HasPrefix(real, point+"/")) {
			continue
		}
		if best == nil || len(point) >= len(best.Point) {
			best = &Mount{Point: point, FSType: fields[sep+1], Source: unescapeMount(fields[sep+2])}
		}
	}
	return best
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOctal(s[i+1]) && isOctal(s[i+2]) && isOctal(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOctal(c byte) bool { return '0' <= c && c <= '7' }
