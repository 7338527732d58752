package smsini

import (
	"errors"
	"strconv"
)

// Sentinel errors. Parse, Read, Split and Write return them inside a
// *SyntaxError (or wrapped with %w); test for them with errors.Is.
var (
	// ErrUTF16 means the file is UTF-16 text, which the reader does not
	// decode: the file must be saved as ANSI or UTF-8.
	ErrUTF16 = errors.New("UTF-16 is not supported, save as ANSI/UTF-8")
	// ErrBinary means the file holds a NUL byte: binary data, not an INI
	// file.
	ErrBinary = errors.New("binary data")
	// ErrMisplacedBOM means a UTF-8 byte order mark appears after the
	// start of the file.
	ErrMisplacedBOM = errors.New("byte order mark inside the file")
	// ErrTooLarge means the file is over MaxFileSize bytes.
	ErrTooLarge = errors.New("file too large")
	// ErrLineTooLong means a line of the file is over MaxLineLen bytes.
	ErrLineTooLong = errors.New("line too long")
	// ErrOutsideSection means a PendingWork key line comes before any
	// section header, so it belongs to no section.
	ErrOutsideSection = errors.New("PendingWork outside any section")
	// ErrUnterminatedQuote means a double quote in the PendingWork value is
	// not closed on its line.
	ErrUnterminatedQuote = errors.New("unterminated double quote")
	// ErrControlChar means the PendingWork value holds a NUL or another
	// control byte (below 0x20 except TAB, or DEL).
	ErrControlChar = errors.New("control character in PendingWork")
	// ErrLineBreak means an entry holds a CR or LF inside its text.
	ErrLineBreak = errors.New("line break inside an entry")
	// ErrTooManyEntries means the value holds more than MaxEntries entries.
	ErrTooManyEntries = errors.New("too many entries")
	// ErrEntryTooLong means an entry is over MaxEntryLen bytes.
	ErrEntryTooLong = errors.New("entry too long")
	// ErrNotAFile means the path names a folder (or another thing that
	// is not a regular file): a wrong path, bad input.
	ErrNotAFile = errors.New("is a folder, not an INI file")
	// ErrInvalidEntry means an entry given to Write or Append would not
	// read back as itself (empty, blanks around it, a separating comma,
	// an unbalanced quote, a control byte): nothing was written.
	ErrInvalidEntry = errors.New("invalid entry")
)

// SyntaxError reports malformed input at a position. Line and Col are
// 1-based; Col counts bytes. For a value given to Split, File is empty and
// the position is within the value.
type SyntaxError struct {
	File      string
	Line, Col int
	// Msg says what is wrong, for a person.
	Msg string
	// Err is the sentinel for the kind of problem (ErrUTF16, ...).
	Err error
	// Entries, for a problem inside the PendingWork value, are the
	// entries read before it: a caller reports the bad ones among them
	// too, so that one problem does not hide the others.
	Entries []Entry
}

// Error returns "file:line:col: msg" ("line:col: msg" without a file).
func (e *SyntaxError) Error() string {
	pos := strconv.Itoa(e.Line) + ":" + strconv.Itoa(e.Col)
	if e.File != "" {
		pos = e.File + ":" + pos
	}
	return pos + ": " + e.Msg
}

// Unwrap returns the sentinel error, for errors.Is.
func (e *SyntaxError) Unwrap() error { return e.Err }
