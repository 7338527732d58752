package ops

import "errors"

// Errors of drive mapping, preparation and execution. Callers test them with
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
	// ErrNoMatch: a wildcard source of copy or move matches no file.
	ErrNoMatch = errors.New("no file matches")
	// ErrTooManyMatches: a wildcard matches more than MaxExpansion entries.
	ErrTooManyMatches = errors.New("too many files match")
	// ErrDstNotFolder: several sources are copied or moved to a destination
	// that is not an existing folder.
	ErrDstNotFolder = errors.New("destination is not a folder")
	// ErrUnsupported: the operation cannot be done as written here (a
	// folder moved across file systems, a run with no program).
	ErrUnsupported = errors.New("not supported")
	// ErrBadIntent: an intent does not fit its operation (wrong number of
	// items, a temporary name that is not ours); Execute fails with it
	// rather than guess.
	ErrBadIntent = errors.New("intent does not fit the operation")
)
