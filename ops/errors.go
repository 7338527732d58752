package ops

import (
	"errors"
	"fmt"
)

// Sentinel errors of Parse and SplitCommandLine. A parse error is always a
// *ParseError whose Err is one of these, so callers test with errors.Is and
// read the column with errors.As, never by the text.
var (
	// ErrEmpty: the entry holds no command at all.
	ErrEmpty = errors.New("empty entry")
	// ErrUnterminatedQuote: a double quote opens a group that never closes.
	ErrUnterminatedQuote = errors.New("unterminated double quote")
	// ErrControlChar: the entry holds NUL, CR or LF, or a path holds a
	// control character (below 0x20, or DEL).
	ErrControlChar = errors.New("control character")
	// ErrUnknownSwitch: a switch the command does not take (or /?).
	ErrUnknownSwitch = errors.New("unknown switch")
	// ErrArgCount: too many or too few paths for the command.
	ErrArgCount = errors.New("wrong number of paths")
	// ErrSyntax: a construct DOS gives a meaning smswork does not take: a
	// comma outside double quotes (other than `copy FILE+,,`), a `+` of
	// copy with no file on one side, a switch glued to the end of a path, a
	// touch with a switch that has no meaning for it.
	ErrSyntax = errors.New("syntax error")
	// ErrEmptyPath: a path (or program name) written as "".
	ErrEmptyPath = errors.New("empty path")
	// ErrRelativePath: a path that is not absolute (`temp\x`, `x.dll`),
	// drive-relative (`c:temp`), rooted without a drive (`\temp\x`), or a
	// program given as a relative path with a separator. There is no
	// current folder at boot.
	ErrRelativePath = errors.New("relative path")
	// ErrUNCPath: a network path (`\\server\share`, `//server/share`).
	ErrUNCPath = errors.New("network (UNC) path")
	// ErrDevicePath: a Win32 device or long path (`\\?\`, `\\.\`).
	ErrDevicePath = errors.New(`device path`)
	// ErrLeavesRoot: `..` climbs above the root of the path's drive.
	ErrLeavesRoot = errors.New("path leaves the root of its drive")
	// ErrRootPath: a drive root (`C:\`, `/`) where a file or a folder
	// below the root is needed (anything but a copy or move destination).
	ErrRootPath = errors.New("drive root not allowed here")
	// ErrReservedName: a DOS path element that names a device (CON, PRN,
	// AUX, NUL, COM0-9, LPT0-9, CONIN$, CONOUT$), with or without an
	// extension (`nul.txt`).
	ErrReservedName = errors.New("reserved DOS device name")
	// ErrInvalidName: a name Windows cannot hold or silently changes: one
	// of < > | : in a DOS path element, an element ending in a dot or a
	// space, a backslash in a native path.
	ErrInvalidName = errors.New("invalid file name")
	// ErrPathTooLong: a path over MaxPathLen bytes, deeper than
	// MaxPathDepth folders, or with an element over MaxNameLen bytes.
	ErrPathTooLong = errors.New("path too long")
	// ErrWildcard: `*` or `?` outside the last element of a path, or in a
	// path that takes none (copy and move DST, md, rd, a program).
	ErrWildcard = errors.New("wildcard not allowed here")

	// ErrNewNamePath: ren's new name holds a drive or a folder (`ren
	// c:\a.txt c:\b.txt`): REN renames inside OLD's folder; a path is
	// move's job.
	ErrNewNamePath = errors.New("new name is a path")

	// ErrBadIntent: an intent or path read back from the journal does not
	// fit its operation (wrong number of items, a temporary name that is
	// not ours, a path not in the form Path documents); execution fails
	// with it rather than guess.
	ErrBadIntent = errors.New("intent does not fit the operation")
)

// ParseError is why an entry did not parse: the entry, the 1-based byte
// column where the offending token starts (one past the end when a token
// is missing), a message naming the token, and the sentinel error it
// wraps. The caller adds the file, line and entry number.
type ParseError struct {
	Entry string
	Col   int
	Msg   string
	Err   error
}

// Error returns `column 12: unknown switch "/x" in "copy a b /x"`, texts
// as written (see Show).
func (e *ParseError) Error() string {
	msg := e.Msg
	if msg == "" && e.Err != nil {
		msg = e.Err.Error()
	}
	return fmt.Sprintf("column %d: %s in %s", e.Col, msg, Show(e.Entry))
}

// Unwrap returns the sentinel error, for errors.Is.
func (e *ParseError) Unwrap() error { return e.Err }

// perr is a parse failure not yet placed in an entry.
type perr struct {
	err error
	msg string
}

// newPerr formats a parse message; the texts it quotes with %q (entries,
// paths, tokens) are shown as written (see Show).
func newPerr(err error, format string, args ...any) *perr {
	for i, a := range args {
		if s, ok := a.(string); ok {
			args[i] = shown(s)
		}
	}
	return &perr{err: err, msg: fmt.Sprintf(format, args...)}
}

// at places p at column col of entry.
func (p *perr) at(entry string, col int) *ParseError {
	return &ParseError{Entry: entry, Col: col, Msg: p.msg, Err: p.err}
}
