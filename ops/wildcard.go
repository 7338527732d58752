package ops

import (
	"unicode"
	"unicode/utf8"
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
