package ops

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// RenameName applies the new-name mask of REN (`ren *.log *.bak`) to the
// name of one file it renames, as cmd.exe does on Windows (the rules
// dbenham measured and published, "How does the Windows RENAME command
// interpret wildcards?"). The mask is read left to right against the old
// name, with a position in the old name that only moves forward:
//
//   - `?` copies the next character of the old name and moves past it,
//     unless the position is at a dot or at the end: then nothing.
//   - `*` at the end of the mask, and `*?`, copy the rest of the old name.
//   - `*c` (c any character, `.` included) copies the old name through the
//     LAST occurrence of c after the position (compared exactly, case
//     included) and moves past it; with no c there, the rest of the old
//     name then c. Several `*` in a row count as one.
//   - `.` (not after `*`) moves the position past the next dot of the old
//     name (or to its end, when there is none) and writes a dot.
//   - any other character is written, and the position moves one
//     character on unless it is at a dot or at the end.
//
// Trailing dots and spaces are then trimmed, since a Windows name cannot
// end in either: `ren a.txt b.` names b, `ren *.txt *.` drops the
// extension. A mask with no wildcard gives itself, trimmed.
//
// Wine's cmd.exe (programs/cmd/builtins.c, WCMD_rename) only knows `*`
// as a whole name or a whole extension (`*.bak`, `a.*`); where the two
// differ, Windows' rules are the ones followed here.
func RenameName(mask, old string) string {
	var b strings.Builder
	pos := 0 // byte offset in old
	// step moves pos one character on unless it is at a dot or the end,
	// and returns the character passed.
	step := func() string {
		if pos >= len(old) || old[pos] == '.' {
			return ""
		}
		_, w := utf8.DecodeRuneInString(old[pos:])
		s := old[pos : pos+w]
		pos += w
		return s
	}
	for i := 0; i < len(mask); {
		_, w := utf8.DecodeRuneInString(mask[i:])
		c := mask[i : i+w]
		i += w
		switch c {
		case "?":
			b.WriteString(step())
		case ".":
			if j := strings.IndexByte(old[pos:], '.'); j >= 0 {
				pos += j + 1
			} else {
				pos = len(old)
			}
			b.WriteByte('.')
		case "*":
			for i < len(mask) && mask[i] == '*' {
				i++
			}
			if i == len(mask) || mask[i] == '?' {
				if i < len(mask) {
					i++
				}
				b.WriteString(old[pos:])
				pos = len(old)
				continue
			}
			_, dw := utf8.DecodeRuneInString(mask[i:])
			d := mask[i : i+dw]
			i += dw
			if j := strings.LastIndex(old[pos:], d); j >= 0 {
				end := pos + j + len(d)
				b.WriteString(old[pos:end])
				pos = end
			} else {
				b.WriteString(old[pos:])
				pos = len(old)
				b.WriteString(d)
			}
		default:
			step()
			b.WriteString(c)
		}
	}
	return strings.TrimRight(b.String(), ". ")
}

// CheckName refuses a single file name (REN's result) that Windows cannot
// hold or would take as a device: empty, longer than MaxNameLen, holding
// a separator, a wildcard, a control character or one of < > | : ",
// ending in a dot or a space, or a DOS device name (with any extension).
// The error wraps ErrEmptyPath, ErrPathTooLong, ErrControlChar,
// ErrInvalidName or ErrReservedName.
func CheckName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty name", ErrEmptyPath)
	case len(name) > MaxNameLen:
		return fmt.Errorf("%w: name of %d bytes, over the limit of %d", ErrPathTooLong, len(name), MaxNameLen)
	case hasControlChar(name):
		return fmt.Errorf("%w: control character in name %q", ErrControlChar, name)
	case strings.ContainsAny(name, `\/*?`):
		return fmt.Errorf("%w: %q is not a single name", ErrInvalidName, name)
	case name == "." || name == "..":
		return fmt.Errorf("%w: %q is not a name", ErrInvalidName, name)
	}
	if pe := checkDOSName(name, name); pe != nil {
		return fmt.Errorf("%w: %s", pe.err, pe.msg)
	}
	return nil
}
