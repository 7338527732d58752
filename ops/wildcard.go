package ops

import (
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"smswork/internal/durable"
)

// MaxExpansion is the most entries one wildcard may expand to; beyond it
// the operation is refused with ErrTooManyMatches rather than journal an
// intent of unbounded size.
const MaxExpansion = 10000

// MatchWildcard reports whether name matches the DOS wildcard pattern:
// `*` matches any run of characters, `?` exactly one, letters match in any
// case, and `*.*` matches every name, with or without a dot.
func MatchWildcard(pattern, name string) bool {
	if pattern == "*.*" || pattern == "*" {
		return true
	}
	// Iterative glob with one backtrack point: the last `*` seen.
	p, n := 0, 0
	starP, starN := -1, 0
	for n < len(name) {
		if p < len(pattern) {
			pc, pw := utf8.DecodeRuneInString(pattern[p:])
			nc, nw := utf8.DecodeRuneInString(name[n:])
			switch {
			case pc == '*':
				starP, starN = p, n
				p += pw
				continue
			case pc == '?' || equalFoldRune(pc, nc):
				p += pw
				n += nw
				continue
			}
		}
		if starP < 0 {
			return false
		}
		// Let the last `*` take one more character of name.
		_, nw := utf8.DecodeRuneInString(name[starN:])
		starN += nw
		n = starN
		p = starP + 1
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

func equalFoldRune(a, b rune) bool {
	if a == b {
		return true
	}
	for r := unicode.SimpleFold(a); r != a; r = unicode.SimpleFold(r) {
		if r == b {
			return true
		}
	}
	return false
}

// match is one entry a wildcard expanded to.
type match struct {
	name string
	typ  os.FileMode // type bits, as the folder listing reports them
}

// expandWildcard lists the entries of folder dir of root whose names match
// pattern, sorted by name, leaving out this project's temporary files. A
// folder that does not exist matches nothing. More than MaxExpansion
// matches is ErrTooManyMatches.
func expandWildcard(root *os.Root, dir, pattern string) ([]match, error) {
	var ms []match
	err := eachEntry(root, dir, func(e os.DirEntry) error {
		name := e.Name()
		if strings.HasPrefix(name, durable.TempPrefix) || !MatchWildcard(pattern, name) {
			return nil
		}
		if len(ms) == MaxExpansion {
			return fmt.Errorf("%w: more than %d", ErrTooManyMatches, MaxExpansion)
		}
		ms = append(ms, match{name: name, typ: e.Type()})
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(ms, func(a, b match) int { return strings.Compare(a.name, b.name) })
	return ms, nil
}

// eachEntry calls fn for each entry of folder dir of root, reading the
// listing in bounded chunks; a folder that does not exist has none.
func eachEntry(root *os.Root, dir string, fn func(os.DirEntry) error) error {
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
