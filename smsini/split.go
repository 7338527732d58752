package smsini

import (
	"bytes"
	"fmt"
	"strings"
)

// Limits on what a queue may hold. Input beyond them is refused with a
// *SyntaxError, so a corrupt or hostile file cannot exhaust memory.
const (
	// MaxFileSize is the largest SMS.INI accepted, in bytes.
	MaxFileSize = 16 << 20
	// MaxLineLen is the longest line of the file accepted, in bytes
	// without its line ending.
	MaxLineLen = 1 << 20
	// MaxEntries is the most entries a PendingWork value may hold.
	MaxEntries = 100000
	// MaxEntryLen is the longest entry accepted, in bytes.
	MaxEntryLen = 32 << 10
)

// Separator is what Join puts between entries. The blank after the comma
// keeps an entry that ends with '+' apart from DOS's "copy FILE+,,".
const Separator = ", "

// Split splits a raw PendingWork value (as given to `smswork add`) into its
// entries, by the rules of the file (see the package doc): commas outside
// double quotes separate, blanks around entries are trimmed, empty entries
// are dropped, "copy FILE+,," stays whole. A value may span lines; an
// entry may not. The error is a *SyntaxError positioned within value.
func Split(value string) ([]string, error) {
	var out []string
	s := []byte(value)
	off, line := 0, 1
	for {
		end := bytes.IndexByte(s[off:], '\n')
		if end < 0 {
			end = len(s)
		} else {
			end += off
		}
		res, err := splitLine(s[off:end], len(out))
		if err != nil {
			return nil, &SyntaxError{Line: line, Col: err.off + 1, Msg: err.msg, Err: err.err}
		}
		for _, e := range res.entries {
			out = append(out, e.text)
		}
		if end == len(s) {
			return out, nil
		}
		off, line = end+1, line+1
	}
}

// Join returns entries as one PendingWork value, separated by Separator.
// For entries that are valid (each one Split back to itself),
// Split(Join(x)) equals x.
func Join(entries []string) string {
	return strings.Join(entries, Separator)
}

// validEntry reports why e would not read back as itself, or nil.
func validEntry(e string) error {
	if strings.ContainsAny(e, "\r\n") {
		return fmt.Errorf("entry %q: %w: %w", e, ErrInvalidEntry, ErrLineBreak)
	}
	got, err := Split(e)
	if err != nil {
		return fmt.Errorf("entry %q: %w: %w", e, ErrInvalidEntry, err)
	}
	switch {
	case len(got) == 0:
		return fmt.Errorf("empty entry: %w", ErrInvalidEntry)
	case len(got) > 1:
		return fmt.Errorf("entry %q holds a separating comma (quote the path that holds it): %w", e, ErrInvalidEntry)
	case got[0] != e:
		return fmt.Errorf("entry %q has blanks around it: %w", e, ErrInvalidEntry)
	}
	return nil
}

// rawEntry is one entry of a line, at byte offset off in that line.
type rawEntry struct {
	text string
	off  int
}

// splitResult is what one line of a value holds.
type splitResult struct {
	entries []rawEntry
	// continues is set when the line's last non-blank byte is a
	// separating comma: the value goes on on the next line.
	continues bool
}

// splitError is a problem at byte offset off of the line.
type splitError struct {
	off int
	msg string
	err error
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' }

// isControl reports the bytes a value may not hold: C0 controls except TAB
// (CR is a line break, handled apart) and DEL.
func isControl(c byte) bool {
	return (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c == 0x7f
}

// trimBlanks returns the offsets of s[a:b] without blanks around it.
func trimBlanks(s []byte, a, b int) (int, int) {
	for a < b && isBlank(s[a]) {
		a++
	}
	for b > a && isBlank(s[b-1]) {
		b--
	}
	return a, b
}

// splitLine splits one line of a value (no LF in it). have is the number
// of entries before this line, for MaxEntries.
func splitLine(s []byte, have int) (splitResult, *splitError) {
	var res splitResult
	if i := bytes.Index(s, bom); i >= 0 {
		return res, &splitError{i, "byte order mark (EF BB BF) inside PendingWork", ErrMisplacedBOM}
	}
	start, quote := 0, -1
	emit := func(a, b int) *splitError {
		a, b = trimBlanks(s, a, b)
		if a == b {
			return nil
		}
		if i := bytes.IndexByte(s[a:b], '\r'); i >= 0 {
			return &splitError{a + i, "line break (CR) inside an entry", ErrLineBreak}
		}
		if b-a > MaxEntryLen {
			return &splitError{a, fmt.Sprintf("entry is %d bytes, over the limit of %d", b-a, MaxEntryLen), ErrEntryTooLong}
		}
		if have+len(res.entries) >= MaxEntries {
			return &splitError{a, fmt.Sprintf("more than %d entries", MaxEntries), ErrTooManyEntries}
		}
		res.entries = append(res.entries, rawEntry{string(s[a:b]), a})
		return nil
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !isBlank(c) {
			res.continues = false
		}
		switch {
		case c == '"':
			if quote < 0 {
				quote = i
			} else {
				quote = -1
			}
		case c == ',' && quote < 0:
			if i+1 < len(s) && s[i+1] == ',' && isTouch(s, start, i) {
				i++ // both commas belong to "copy FILE+,,"
				continue
			}
			if err := emit(start, i); err != nil {
				return res, err
			}
			start = i + 1
			res.continues = true
		case isControl(c):
			return res, &splitError{i, fmt.Sprintf("control character 0x%02X in PendingWork", c), ErrControlChar}
		case c == '\n':
			return res, &splitError{i, "line break (LF) inside an entry", ErrLineBreak}
		}
	}
	if quote >= 0 {
		return res, &splitError{quote, "unterminated double quote", ErrUnterminatedQuote}
	}
	return res, emit(start, len(s))
}

// isTouch reports whether s[a:b], trimmed, is the start of DOS's touch,
// "copy FILE+,,", in any of its written forms: "copy" (any case), switches
// such as /b, and one file token ending in '+' or followed by a lone '+'.
func isTouch(s []byte, a, b int) bool {
	a, b = trimBlanks(s, a, b)
	if b-a < 6 || !strings.EqualFold(string(s[a:a+4]), "copy") || !isBlank(s[a+4]) || s[b-1] != '+' {
		return false
	}
	var toks []string
	inQuote, start := false, -1
	for i := a + 4; i <= b; i++ {
		end := i == b || (isBlank(s[i]) && !inQuote)
		if i < b && s[i] == '"' {
			inQuote = !inQuote
		}
		switch {
		case end && start >= 0:
			toks = append(toks, string(s[start:i]))
			start = -1
		case !end && start < 0:
			start = i
		}
	}
	if len(toks) > 1 && toks[len(toks)-1] == "+" {
		toks = toks[:len(toks)-1]
	}
	if len(toks) == 0 || toks[len(toks)-1] == "+" {
		return false
	}
	for _, sw := range toks[:len(toks)-1] {
		if len(sw) < 2 || len(sw) > 3 || sw[0] != '/' {
			return false // one file only: "copy a+b" is a concatenation
		}
	}
	return true
}
