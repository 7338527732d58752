package ops

import "strings"

// lexToken is one word of a built-in command, split the way cmd.exe splits
// them for its own commands: spaces and tabs separate, double quotes group
// (and are removed), backslashes are literal.
type lexToken struct {
	text   string // the word with its quotes removed
	raw    string // the word as written
	col    int    // 1-based byte column of its first byte
	quoted bool   // some part of it was inside double quotes
}

func isArgSpace(c byte) bool { return c == ' ' || c == '\t' }

// lexBuiltin splits entry into tokens. The only error is an unterminated
// quote, placed at the start of its token.
func lexBuiltin(entry string) ([]lexToken, error) {
	var toks []lexToken
	i := 0
	for {
		for i < len(entry) && isArgSpace(entry[i]) {
			i++
		}
		if i >= len(entry) {
			return toks, nil
		}
		start := i
		var b strings.Builder
		inQuote, quoted := false, false
		for i < len(entry) && (inQuote || !isArgSpace(entry[i])) {
			if entry[i] == '"' {
				inQuote = !inQuote
				quoted = true
			} else {
				b.WriteByte(entry[i])
			}
			i++
		}
		if inQuote {
			return nil, newPerr(ErrUnterminatedQuote, "unterminated double quote").at(entry, start+1)
		}
		toks = append(toks, lexToken{text: b.String(), raw: entry[start:i], col: start + 1, quoted: quoted})
	}
}

// isSwitch reports whether t is a switch: unquoted, `/`, an optional `-`,
// then ASCII letters, three bytes at most (`/y`, `/-y`, `/q`). Any other
// unquoted word starting with `/` is a native absolute path.
func (t lexToken) isSwitch() bool {
	return !t.quoted && looksLikeSwitch(t.text)
}

func looksLikeSwitch(s string) bool {
	if len(s) < 2 || len(s) > 3 || s[0] != '/' {
		return false
	}
	body := s[1:]
	if body[0] == '-' {
		body = body[1:]
	}
	if body == "" {
		return false
	}
	for i := 0; i < len(body); i++ {
		if !isASCIILetter(body[i]) {
			return false
		}
	}
	return true
}

func isASCIILetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }

// unquotedIndex returns the index in raw of the first byte of set that is
// outside double quotes, or -1.
func unquotedIndex(raw, set string) int {
	inQuote := false
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == '"':
			inQuote = !inQuote
		case !inQuote && strings.IndexByte(set, c) >= 0:
			return i
		}
	}
	return -1
}

// gluedSwitch returns the switch written against the end of a path with
// no space before it (`c:\x.dll/y`, `"c:\a b"/-y`), or "". A path written
// only with forward slashes (`c:/x/b`, `/usr/b`) is taken as a path.
func gluedSwitch(raw string) string {
	i := strings.LastIndexByte(raw, '/')
	if i <= 0 || strings.IndexByte(raw[i:], '"') >= 0 || !looksLikeSwitch(raw[i:]) {
		return ""
	}
	if !strings.ContainsAny(raw[:i], "\\\"") {
		return ""
	}
	return raw[i:]
}

// lowerASCII lower-cases ASCII letters only, so that no Unicode folding
// (`ſ` for s, `K` for k) turns a word into a verb or a switch.
func lowerASCII(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}
