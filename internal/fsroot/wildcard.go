package fsroot

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"smswork/ops"
)

// Match is one entry a wildcard expanded to.
type Match struct {
	// Name is the entry's name.
	Name string
	// Type is its type bits, as the folder listing reports them.
	Type os.FileMode
}

// ExpandWildcard lists the entries of folder dir of root whose names match
// pattern, sorted by name, leaving out this project's temporary files. A
// folder that does not exist matches nothing. More than ops.MaxExpansion
// matches is ErrTooManyMatches.
func ExpandWildcard(root *os.Root, dir, pattern string) ([]Match, error) {
	var ms []Match
	err := EachEntry(root, dir, func(e os.DirEntry) error {
		name := e.Name()
		if strings.HasPrefix(name, TempPrefix) || !ops.MatchWildcard(pattern, name) {
			return nil
		}
		if len(ms) == ops.MaxExpansion {
			return fmt.Errorf("%w: more than %d", ErrTooManyMatches, ops.MaxExpansion)
		}
		ms = append(ms, Match{Name: name, Type: e.Type()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ms, func(a, b Match) int { return strings.Compare(a.Name, b.Name) })
	return ms, nil
}

// EachEntry calls fn for each entry of folder dir of root, reading the
// listing in bounded chunks; a folder that does not exist has none.
func EachEntry(root *os.Root, dir string, fn func(os.DirEntry) error) error {
	f, err := root.Open(relName(dir))
	if err != nil {
		if isNotExist(err) {
			return nil
		}
		return err
	}
	defer f.Close()
	for {
		ents, rerr := f.ReadDir(1024)
		for _, e := range ents {
			if err := fn(e); err != nil {
				return err
			}
		}
		if rerr == io.EOF {
			return nil
		}
		if rerr != nil {
			if isNotExist(rerr) {
				return nil
			}
			return rerr
		}
	}
}
