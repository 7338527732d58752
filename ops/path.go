package ops

import (
	"fmt"
	"path/filepath"
	"strings"
)

// DriveLetter returns s, a one-letter drive name in either case, upper-case;
// anything else is an error.
func DriveLetter(s string) (string, error) {
	if len(s) != 1 || !isASCIILetter(s[0]) {
		return "", fmt.Errorf("drive %q is not a letter A-Z", s)
	}
	return strings.ToUpper(s), nil
}

// JoinRel joins slash-separated parts of a Path.Rel.
func JoinRel(dir, name string) string {
	if dir == "" {
		return name
	}
	if name == "" {
		return dir
	}
	return dir + "/" + name
}

// SplitRel splits a Path.Rel into its folder and last element.
func SplitRel(rel string) (dir, name string) {
	i := strings.LastIndex(rel, "/")
	if i < 0 {
		return "", rel
	}
	return rel[:i], rel[i+1:]
}

// RootName turns a Path.Rel into a name for an os.Root method ("." for
// the root itself). It is pure text: no file is touched.
func RootName(rel string) string {
	if rel == "" {
		return "."
	}
	return filepath.FromSlash(rel)
}

// Parent returns the folder holding p.
func (p Path) Parent() Path {
	dir, _ := SplitRel(p.Rel)
	return Path{Drive: p.Drive, Rel: dir}
}

// Base returns the last element of p ("" for a drive root).
func (p Path) Base() string {
	_, name := SplitRel(p.Rel)
	return name
}

// Join returns the path of name inside folder p.
func (p Path) Join(name string) Path { return Path{Drive: p.Drive, Rel: JoinRel(p.Rel, name)} }

// Key is p as DOS compares paths: the drive and the path, case-insensitive.
func (p Path) Key() string { return strings.ToUpper(p.Drive) + ":" + strings.ToLower(p.Rel) }

// CheckPath refuses a Path that is not in the form Path documents (a
// record read back from the journal, say), with ErrBadIntent.
func CheckPath(p Path) error {
	if p.Drive != "" {
		if _, err := DriveLetter(p.Drive); err != nil {
			return fmt.Errorf("%w: %v", ErrBadIntent, err)
		}
	}
	if p.Rel == "" {
		return nil
	}
	if strings.Contains(p.Rel, `\`) {
		return fmt.Errorf("%w: %q: backslash in a path", ErrBadIntent, p.Rel)
	}
	for el := range strings.SplitSeq(p.Rel, "/") {
		if el == "" || el == "." || el == ".." {
			return fmt.Errorf("%w: %q: element %q", ErrBadIntent, p.Rel, el)
		}
	}
	return nil
}
