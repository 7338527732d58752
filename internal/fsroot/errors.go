package fsroot

import "errors"

// Errors of drive mapping and rooted file access. Callers test them with
// errors.Is; the text wrapped around them names the path concerned.
var (
	// ErrDriveFlag: a --drive value or mapping is malformed (not
	// LETTER=FOLDER, not a letter, not an absolute existing folder).
	ErrDriveFlag = errors.New("bad drive mapping")
	// ErrDriveUnmapped: a path names a drive that has no mapping and no
	// native meaning on this host (any drive letter on Unix without
	// --drive, a native "/" path on Windows).
	ErrDriveUnmapped = errors.New("drive not mapped")
	// ErrBadPath: a path is malformed (an empty, "." or ".." element, a
	// wildcard where none is allowed, the drive root where a file is meant).
	ErrBadPath = errors.New("bad path")
	// ErrAmbiguous: a path element matches several entries of its folder
	// case-insensitively and none exactly.
	ErrAmbiguous = errors.New("ambiguous name")
	// ErrTooManyMatches: a wildcard matches more than ops.MaxExpansion
	// entries.
	ErrTooManyMatches = errors.New("too many files match")
	// ErrInUse: a file is held open by another program (what IsInUse
	// reports besides Windows' own sharing and lock violations).
	ErrInUse = errors.New("in use by another program")
)
