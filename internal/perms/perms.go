package perms

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ErrInsecure is wrapped by every *Error: a file or folder that someone
// other than its owner and the administrator can change.
var ErrInsecure = errors.New("insecure permissions")

// Error is one file or folder that fails the rules of the package doc.
type Error struct {
	// What names the file it protects ("SMS.INI", "the journal").
	What string
	// Path is the file or folder at fault.
	Path string
	// Role says what Path is to the file: "" for the file itself, "folder"
	// for its folder, "parent folder" above it.
	Role string
	// Reason says what is wrong, with the mode or owner found.
	Reason string
	// Mount is set when Path lies on a file system whose modes are made
	// up by its mount options (NTFS mounted by ntfs-3g or ntfs3): a chmod
	// cannot change them, a mount option does.
	Mount *Mount
}

// Mount is a file system whose owners and modes come from its mount
// options rather than from its files.
type Mount struct {
	// Point is where it is mounted; Source the device or image file;
	// FSType the type /proc/self/mountinfo gives (fuseblk, fuse, ntfs3).
	Point, Source, FSType string
}

// Advice is what to do about a file on m: the mount options that give
// its files modes nobody else can write through.
func (m *Mount) Advice() string {
	return fmt.Sprintf("%s on %s is NTFS (%s), whose modes come from its mount options: mount it with -o umask=022 (files 0755, owned by whoever mounts it), or with -o permissions to keep real owners and modes, then chmod",
		m.Source, m.Point, m.FSType)
}

// Advice returns what fixes the problems of err, an error of Check: the
// mount options of each volume whose modes are made up by them, else
// def.
func Advice(err error, def string) string {
	var out []string
	seen := map[string]bool{}
	for _, e := range unwrapAll(err) {
		var pe *Error
		if errors.As(e, &pe) && pe.Mount != nil && !seen[pe.Mount.Point] {
			seen[pe.Mount.Point] = true
			out = append(out, pe.Mount.Advice())
		}
	}
	if len(out) == 0 {
		return def
	}
	return strings.Join(out, "; ")
}

// unwrapAll returns the errors joined in err, or err alone.
func unwrapAll(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// Error returns `SMS.INI /var/lib/smswork/SMS.INI is world-writable (mode 0666)`.
func (e *Error) Error() string {
	who := e.What
	if e.Role != "" {
		who = e.What + "'s " + e.Role
	}
	if e.Mount != nil {
		return fmt.Sprintf("%s %s %s (on NTFS mounted at %s: the mode comes from the mount options)", who, e.Path, e.Reason, e.Mount.Point)
	}
	return fmt.Sprintf("%s %s %s", who, e.Path, e.Reason)
}

// Unwrap returns ErrInsecure.
func (e *Error) Unwrap() error { return ErrInsecure }

// Target is a file smswork trusts: what it is, for messages, and its path.
type Target struct {
	What string
	Path string
}

// Check checks every target, its folder and (on Unix) the folders above
// it, by the rules of the package doc. It returns nil, or the problems
// found, each a *Error, joined with errors.Join; a folder shared by two
// targets is checked once, by the stricter rule of the two. Any other
// failure (a path that cannot be inspected) is returned as it is.
func Check(targets ...Target) error {
	type item struct {
		what string
		role role
	}
	var order []string
	items := map[string]item{}
	for _, t := range targets {
		paths, err := targetPaths(t.Path)
		if err != nil {
			return fmt.Errorf("%s %s: %w", t.What, t.Path, err)
		}
		for _, p := range paths {
			old, seen := items[p.path]
			if !seen {
				order = append(order, p.path)
			}
			if !seen || p.role < old.role {
				items[p.path] = item{what: t.What, role: p.role}
			}
		}
	}
	var errs []error
	for _, p := range order {
		it := items[p]
		reason, err := inspect(p, it.role)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check permissions of %s: %w", p, err)
		}
		if reason != "" {
			errs = append(errs, &Error{What: it.what, Path: p, Role: it.role.String(), Reason: reason, Mount: madeUpModes(p)})
		}
	}
	return errors.Join(errs...)
}

// role is what a path is to the target, which decides the rules; a lower
// role has stricter rules.
type role int

const (
	roleFile   role = iota // the target itself
	roleFolder             // the folder that holds it
	roleParent             // a folder above that one
)

func (r role) String() string {
	switch r {
	case roleFolder:
		return "folder"
	case roleParent:
		return "parent folder"
	}
	return ""
}

type rolePath struct {
	path string
	role role
}

// targetPaths lists the paths to check for a target at path: along the
// path given and, when links lead elsewhere, along its real path.
func targetPaths(path string) ([]rolePath, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	chains := [][]string{chain(abs)}
	if real, err := realPath(abs); err == nil && real != abs {
		chains = append(chains, chain(real))
	}
	var out []rolePath
	for _, c := range chains {
		for i, p := range c {
			out = append(out, rolePath{p, min(role(i), roleParent)})
		}
	}
	return out, nil
}

// chain returns abs, its folder, and every folder above up to the root.
func chain(abs string) []string {
	out := []string{abs}
	for {
		dir := filepath.Dir(abs)
		if dir == abs {
			return out
		}
		out = append(out, dir)
		abs = dir
	}
}

// realPath resolves the links of abs; a missing last element stays as
// written, under its resolved folder.
func realPath(abs string) (string, error) {
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r, nil
	}
	dir, err := filepath.EvalSymlinks(filepath.Dir(abs))
	if err != nil {
		return "", err
	}
	return filepath.Join(dir, filepath.Base(abs)), nil
}

// joinReasons joins the problems of one path.
func joinReasons(rs []string) string { return strings.Join(rs, ", and ") }
