//go:build !windows

package perms

import (
	"fmt"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// inspect applies the Unix rules of the package doc to path p in role r:
// the reason it fails them, or "".
func inspect(p string, r role) (string, error) {
	fi, err := os.Lstat(p)
	if err != nil {
		return "", err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "", fmt.Errorf("no owner information for %s", p)
	}
	var reasons []string
	if uid := int(st.Uid); uid != 0 && uid != os.Geteuid() {
		reasons = append(reasons, fmt.Sprintf("is owned by %s, not by root or the user running smswork (%s)", userName(uid), userName(os.Geteuid())))
	}
	m := fi.Mode()
	if m&os.ModeSymlink != 0 {
		// A link's own mode means nothing; what it leads to is checked
		// along the real path.
		return joinReasons(reasons), nil
	}
	sticky := m&os.ModeSticky != 0 && m.IsDir()
	if m.Perm()&0o022 != 0 && (r != roleParent || !sticky) {
		what := "group-writable"
		switch {
		case m.Perm()&0o022 == 0o022:
			what = "group- and world-writable"
		case m.Perm()&0o002 != 0:
			what = "world-writable"
		}
		if sticky {
			what += " (sticky, which does not stop others creating files in it)"
		}
		reasons = append(reasons, fmt.Sprintf("is %s (mode %s)", what, modeString(m)))
	}
	return joinReasons(reasons), nil
}

// userName is "uid 1000 (alice)", or "uid 1000" when the name is unknown.
func userName(uid int) string {
	s := "uid " + strconv.Itoa(uid)
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil && u.Username != "" {
		s += " (" + u.Username + ")"
	}
	return s
}

// modeString is a mode in octal with its special bits, as chmod takes it.
func modeString(m os.FileMode) string {
	bits := uint32(m.Perm())
	if m&os.ModeSticky != 0 {
		bits |= 0o1000
	}
	if m&os.ModeSetgid != 0 {
		bits |= 0o2000
	}
	if m&os.ModeSetuid != 0 {
		bits |= 0o4000
	}
	return fmt.Sprintf("%04o", bits)
}
