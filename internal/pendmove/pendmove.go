package pendmove

import (
	"strings"
	"unicode/utf16"
)

// ValueName is the registry value Session Manager reads at boot, under
// KeyPath in HKEY_LOCAL_MACHINE.
const (
	KeyPath   = `System\CurrentControlSet\Control\Session Manager`
	ValueName = "PendingFileRenameOperations"
)

// Pending is one rename or delete Session Manager performs at the next
// boot, as PendMoves shows it.
type Pending struct {
	// Source is the file renamed or deleted, as a Win32 path (the \??\
	// prefix and any marker removed).
	Source string `json:"source"`
	// Target is where Source is renamed to; "" with Delete.
	Target string `json:"target,omitempty"`
	// Delete says Source is deleted (an empty target string).
	Delete bool `json:"delete,omitempty"`
	// Replace says an existing Target is replaced (the `!` marker).
	Replace bool `json:"replace,omitempty"`
	// Marker is a `*N` prefix the source was written with ("" when none).
	Marker string `json:"marker,omitempty"`
	// Incomplete marks a last source without a target string (a value
	// cut short); smss ignores it.
	Incomplete bool `json:"incomplete,omitempty"`
	// RawSource and RawTarget are the strings as stored.
	RawSource string `json:"rawSource"`
	RawTarget string `json:"rawTarget"`
}

// Strings splits a REG_MULTI_SZ value's bytes (UTF-16LE) into its strings:
// each ends at a NUL; the list ends at an empty string that is not the
// target of a pair (the list's own NUL), or at the end of the data. An odd
// last byte is ignored; text after a missing final NUL is the last string.
// Unpaired surrogates become U+FFFD.
func Strings(data []byte) []string {
	u := make([]uint16, len(data)/2)
	for i := range u {
		u[i] = uint16(data[2*i]) | uint16(data[2*i+1])<<8
	}
	var out []string
	from := 0
	for i, c := range u {
		if c != 0 {
			continue
		}
		s := string(utf16.Decode(u[from:i]))
		from = i + 1
		// An empty string in a source's place ends the list; in a
		// target's place it is a delete.
		if s == "" && len(out)%2 == 0 {
			return out
		}
		out = append(out, s)
	}
	if from < len(u) {
		out = append(out, string(utf16.Decode(u[from:])))
	}
	return out
}

// Parse reads a PendingFileRenameOperations value's bytes into the pairs
// Session Manager performs, in order. It never fails: what cannot be a
// pair is reported Incomplete.
func Parse(data []byte) []Pending {
	return Pairs(Strings(data))
}

// Pairs reads the value's strings (as registry.Key.GetStringsValue returns
// them) into pairs.
func Pairs(ss []string) []Pending {
	var out []Pending
	for i := 0; i < len(ss); i += 2 {
		p := Pending{RawSource: ss[i]}
		p.Marker, p.Source = splitMarker(ss[i])
		p.Source = Win32Path(p.Source)
		if i+1 >= len(ss) {
			p.Incomplete = true
			out = append(out, p)
			break
		}
		p.RawTarget = ss[i+1]
		t := ss[i+1]
		if strings.HasPrefix(t, "!") {
			p.Replace, t = true, t[1:]
		}
		if t == "" {
			p.Delete = true
		} else {
			p.Target = Win32Path(t)
		}
		out = append(out, p)
	}
	return out
}

// splitMarker splits a leading `*N` marker (a star and decimal digits)
// from s.
func splitMarker(s string) (marker, rest string) {
	if !strings.HasPrefix(s, "*") {
		return "", s
	}
	i := 1
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 1 {
		return "", s
	}
	return s[:i], s[i:]
}

// Win32Path turns an NT path as Session Manager stores it into a Win32
// path: the \??\ (or \\?\) prefix is removed, and \??\UNC\server\share
// becomes \\server\share. Other text is returned as it is.
func Win32Path(s string) string {
	for _, p := range []string{`\??\`, `\\?\`} {
		if len(s) >= len(p) && s[:len(p)] == p {
			rest := s[len(p):]
			if rest == "" {
				return s
			}
			if len(rest) >= 4 && strings.EqualFold(rest[:4], `UNC\`) {
				return `\\` + rest[4:]
			}
			return rest
		}
	}
	return s
}

// SamePath reports whether two Win32 paths name the same file as Windows
// compares names: case-insensitively, `/` as `\`.
func SamePath(a, b string) bool {
	norm := func(s string) string { return strings.ReplaceAll(s, "/", `\`) }
	return strings.EqualFold(norm(a), norm(b))
}

// Find returns the index of the pair that renames src over dst (dst ""
// for a delete of src) in ps, or -1.
func Find(ps []Pending, src, dst string) int {
	for i, p := range ps {
		if p.Incomplete || !SamePath(p.Source, src) {
			continue
		}
		if dst == "" && p.Delete || dst != "" && !p.Delete && SamePath(p.Target, dst) {
			return i
		}
	}
	return -1
}

// Encode is the value's bytes for pairs, as MoveFileEx writes them: each
// path with the \??\ prefix, a replacing target with `!`, a delete as an
// empty target; the list ends with one more NUL. Tests and the fuzz target
// use it to write values.
func Encode(ps []Pending) []byte {
	var u []uint16
	add := func(s string) {
		u = append(u, utf16.Encode([]rune(s))...)
		u = append(u, 0)
	}
	for _, p := range ps {
		add(p.Marker + `\??\` + p.Source)
		switch {
		case p.Delete:
			add("")
		case p.Replace:
			add(`!\??\` + p.Target)
		default:
			add(`\??\` + p.Target)
		}
	}
	u = append(u, 0)
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return b
}
