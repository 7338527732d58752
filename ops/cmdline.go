package ops

import (
	"strings"
	"unicode"
)

// SplitCommandLine splits s into arguments by the rules of the Microsoft C
// runtime (CommandLineToArgvW, and the 2008 and later msvcrt for `""`),
// the same on every OS:
//
//   - spaces and tabs outside double quotes separate arguments;
//   - a double quote starts or ends a quoted part, and is removed;
//   - 2n backslashes then a quote give n backslashes, and the quote
//     starts or ends a quoted part; 2n+1 backslashes then a quote give n
//     backslashes and a literal quote;
//   - backslashes not followed by a quote are literal;
//   - inside a quoted part, `""` is one literal quote and the part goes on.
//
// Unlike the C runtime, the first argument follows the same rules as the
// others, and a quoted part still open at the end is an error: a
// *ParseError wrapping ErrUnterminatedQuote, at the argument's column.
func SplitCommandLine(s string) ([]string, error) {
	args, _, err := splitCommandLine(s)
	return args, err
}

// splitCommandLine is SplitCommandLine that also returns the 1-based byte
// column where each argument starts.
func splitCommandLine(s string) (args []string, cols []int, err error) {
	i := 0
	for {
		for i < len(s) && isArgSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			return args, cols, nil
		}
		start := i
		var b strings.Builder
		inQuote := false
		for i < len(s) && (inQuote || !isArgSpace(s[i])) {
			switch s[i] {
			case '\\':
				n := 0
				for i < len(s) && s[i] == '\\' {
					n++
					i++
				}
				if i < len(s) && s[i] == '"' {
					b.WriteString(strings.Repeat(`\`, n/2))
					if n%2 == 1 {
						b.WriteByte('"')
						i++
					}
					// With 2n backslashes the quote is handled next round.
				} else {
					b.WriteString(strings.Repeat(`\`, n))
				}
			case '"':
				if inQuote && i+1 < len(s) && s[i+1] == '"' {
					b.WriteByte('"')
					i += 2
				} else {
					inQuote = !inQuote
					i++
				}
			default:
				b.WriteByte(s[i])
				i++
			}
		}
		if inQuote {
			return nil, nil, newPerr(ErrUnterminatedQuote, "unterminated double quote").at(s, start+1)
		}
		args = append(args, b.String())
		cols = append(cols, start+1)
	}
}

// JoinCommandLine quotes args into one command line that SplitCommandLine
// splits back into exactly args. An argument is quoted when it is empty or
// holds a space, a tab, a comma or a double quote (or any other control
// character or Unicode space, so that trimming the line cannot change it),
// and then the backslashes before a quote or the closing quote are doubled.
//
// It differs from syscall.EscapeArg in two ways, both so that a reader
// that only counts double quotes (the PendingWork list splitter) sees
// every space and comma of an argument inside quotes: a comma is quoted,
// and a literal double quote is written `""` inside a quoted argument
// rather than `\"`. CommandLineToArgvW and msvcrt before 2008 end the
// quoted part at `""`; programs are not run from this text, though (the
// executor passes Argv itself), so only SplitCommandLine has to read it.
func JoinCommandLine(args []string) string {
	var b strings.Builder
	for i, a := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		appendArg(&b, a, false)
	}
	return b.String()
}

// appendArg writes one argument as JoinCommandLine does; force quotes it
// even when it needs no quotes.
func appendArg(b *strings.Builder, s string, force bool) {
	if !force && s != "" && !strings.ContainsAny(s, ",\"") && !hasSpaceOrControl(s) {
		b.WriteString(s)
		return
	}
	b.WriteByte('"')
	slashes := 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			slashes++
		case '"':
			b.WriteString(strings.Repeat(`\`, slashes))
			b.WriteString(`""`)
			slashes = 0
			continue
		default:
			slashes = 0
		}
		b.WriteByte(s[i])
	}
	b.WriteString(strings.Repeat(`\`, slashes))
	b.WriteByte('"')
}

// hasSpaceOrControl reports whether s holds a Unicode space or a control
// character: what a reader of the list may trim or choke on.
func hasSpaceOrControl(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || unicode.IsSpace(r) {
			return true
		}
	}
	return false
}
