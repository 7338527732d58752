package ops

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// ShowMax is the most bytes of a text Show prints before it cuts it.
const ShowMax = 120

// Show returns text (an entry, a path) for a message, as it is written:
// between double quotes, with backslashes and quotes as they are (c:\temp,
// not Go's "c:\\temp"); only bytes a terminal would not show as written
// (control characters, bytes that are not UTF-8) are escaped, as \x01. A
// text longer than ShowMax bytes is cut and its length said:
// "md c:\a\a\a…" (10006 bytes), so that a 40 KB entry never fills a screen.
func Show(text string) string {
	cut := text
	if len(text) > ShowMax {
		n := ShowMax // not inside a character
		for k := 0; k < utf8.UTFMax && n > 0 && !utf8.RuneStart(text[n]); k++ {
			n--
		}
		cut = text[:n]
	}
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(cut); {
		r, n := utf8.DecodeRuneInString(cut[i:])
		switch {
		case r == utf8.RuneError && n == 1:
			fmt.Fprintf(&b, `\x%02x`, cut[i])
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u2028' || r == '\u2029':
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteString(cut[i : i+n])
		}
		i += n
	}
	if len(cut) < len(text) {
		b.WriteString(`…"`)
		fmt.Fprintf(&b, " (%d bytes)", len(text))
		return b.String()
	}
	b.WriteByte('"')
	return b.String()
}

// shown is a string that %q prints with Show: what parse messages quote
// is shown as written.
type shown string

// Format prints s with Show for %q, as it is otherwise.
func (s shown) Format(f fmt.State, verb rune) {
	if verb == 'q' {
		_, _ = f.Write([]byte(Show(string(s))))
		return
	}
	_, _ = f.Write([]byte(s))
}
