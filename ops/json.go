package ops

import (
	"encoding/json"
	"unicode/utf8"
)

// Paths and arguments are bytes as SMS.INI held them: old ANSI code pages
// are not UTF-8, and encoding/json would replace such bytes with U+FFFD,
// so that a journaled operation would name another file than its entry.
// A Path or an Op whose text is not valid UTF-8 is therefore stored with
// that text in base64 ("rel64", "argv64", "newName64"); valid text stays
// readable.

// MarshalJSON encodes p losslessly. A path whose text is valid UTF-8 (all
// but old code pages) is written by appendPath, byte for byte what
// encoding/json writes for it (FuzzPathJSON checks), without its
// reflection: a journal record holds several paths, and a drain of small
// operations spends a good share of its CPU encoding them.
func (p Path) MarshalJSON() ([]byte, error) {
	if utf8.ValidString(p.Rel) && utf8.ValidString(p.Drive) {
		return appendPath(make([]byte, 0, len(p.Drive)+len(p.Rel)+24), p), nil
	}
	return json.Marshal(struct {
		Drive string `json:"drive,omitempty"`
		Rel64 []byte `json:"rel64"`
	}{p.Drive, []byte(p.Rel)})
}

// appendPath appends p as encoding/json writes a Path whose text is valid
// UTF-8: {"drive":...,"rel":...}, drive left out when empty.
func appendPath(b []byte, p Path) []byte {
	b = append(b, '{')
	if p.Drive != "" {
		b = append(b, `"drive":`...)
		b = appendString(b, p.Drive)
		b = append(b, ',')
	}
	b = append(b, `"rel":`...)
	b = appendString(b, p.Rel)
	return append(b, '}')
}

const hexDigits = "0123456789abcdef"

// appendString appends s, valid UTF-8, quoted as encoding/json quotes it:
// its short escapes, \u00XX for other control bytes, and its HTML-safe
// escapes of <, >, & and of U+2028 and U+2029.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, `\b`...)
			case '\f':
				b = append(b, `\f`...)
			case '\n':
				b = append(b, `\n`...)
			case '\r':
				b = append(b, `\r`...)
			case '\t':
				b = append(b, `\t`...)
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
			start = i + size
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// UnmarshalJSON decodes what MarshalJSON wrote. The common form (compact,
// keys "drive" and "rel", strings with no escape) is read by
// decodePath, as encoding/json would read it (FuzzPathJSON checks); any
// other goes through encoding/json.
func (p *Path) UnmarshalJSON(b []byte) error {
	if q, ok := decodePath(b); ok {
		*p = q
		return nil
	}
	var v struct {
		Drive string  `json:"drive"`
		Rel   string  `json:"rel"`
		Rel64 *[]byte `json:"rel64"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	p.Drive, p.Rel = v.Drive, v.Rel
	if v.Rel64 != nil {
		p.Rel = string(*v.Rel64)
	}
	return nil
}

// decodePath reads b when it is a compact object of members "drive" and
// "rel" (each at most once) whose strings hold valid UTF-8, no control
// byte and no escape; ok is false for anything else, which encoding/json
// then reads.
func decodePath(b []byte) (p Path, ok bool) {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return p, false
	}
	rest := b[1 : len(b)-1]
	var seenDrive, seenRel bool
	for len(rest) > 0 {
		key, r, ok := plainString(rest)
		if !ok || len(r) == 0 || r[0] != ':' {
			return p, false
		}
		val, r, ok := plainString(r[1:])
		if !ok {
			return p, false
		}
		switch {
		case key == "drive" && !seenDrive:
			p.Drive, seenDrive = val, true
		case key == "rel" && !seenRel:
			p.Rel, seenRel = val, true
		default:
			return p, false
		}
		if len(r) > 0 {
			if r[0] != ',' || len(r) == 1 {
				return p, false
			}
			r = r[1:]
		}
		rest = r
	}
	return p, true
}

// plainString reads a quoted string at the start of b that holds valid
// UTF-8 and no backslash or control byte, and returns it and what follows.
func plainString(b []byte) (s string, rest []byte, ok bool) {
	if len(b) == 0 || b[0] != '"' {
		return "", nil, false
	}
	for i := 1; i < len(b); i++ {
		switch c := b[i]; {
		case c == '"':
			if !utf8.Valid(b[1:i]) {
				return "", nil, false
			}
			return string(b[1:i]), b[i+1:], true
		case c == '\\' || c < 0x20:
			return "", nil, false
		}
	}
	return "", nil, false
}

// MarshalJSON encodes o losslessly.
func (o Op) MarshalJSON() ([]byte, error) {
	type plain Op
	v := struct {
		plain
		Argv64    [][]byte `json:"argv64,omitempty"`
		NewName64 []byte   `json:"newName64,omitempty"`
	}{plain: plain(o)}
	if !ValidText(o.Argv...) {
		v.Argv = nil
		for _, a := range o.Argv {
			v.Argv64 = append(v.Argv64, []byte(a))
		}
	}
	if !ValidText(o.NewName) {
		v.NewName, v.NewName64 = "", []byte(o.NewName)
	}
	return json.Marshal(v)
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (o *Op) UnmarshalJSON(b []byte) error {
	type plain Op
	var v struct {
		plain
		Argv64    [][]byte `json:"argv64"`
		NewName64 *[]byte  `json:"newName64"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*o = Op(v.plain)
	if v.NewName64 != nil {
		o.NewName = string(*v.NewName64)
	}
	if v.Argv64 != nil {
		o.Argv = make([]string, len(v.Argv64))
		for i, a := range v.Argv64 {
			o.Argv[i] = string(a)
		}
	}
	return nil
}

// ValidText reports whether every s is valid UTF-8 (and so survives JSON).
func ValidText(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}
