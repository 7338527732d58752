package exec

import (
	"errors"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// Errors of preparation and execution. Callers test them with errors.Is;
// the text wrapped around them names the path concerned. Those of drive
// mapping and path resolution are fsroot's, re-exported here for callers
// of Prepare and Execute.
var (
	// ErrNoMatch: a wildcard source of copy or move matches no file.
	ErrNoMatch = errors.New("no file matches")
	// ErrDstNotFolder: several sources are copied or moved to a destination
	// that is not an existing folder.
	ErrDstNotFolder = errors.New("destination is not a folder")
	// ErrExists: a name ren would give is taken (ren never replaces), or
	// two files would get the same one.
	ErrExists = errors.New("name already taken")
	// ErrSameFile: a copy whose destination is its source.
	ErrSameFile = errors.New("file cannot be copied onto itself")
	// ErrReadOnly: a read-only file where copy or move would replace it,
	// or that del is not told (/f) to delete.
	ErrReadOnly = errors.New("file is read-only")
	// ErrUnsupported: the operation cannot be done as written here (a
	// folder moved across file systems, a run with no program).
	ErrUnsupported = errors.New("not supported")
	// ErrSourceChanged: a copy's source changed size or modification time
	// while its bytes were copied; the copy fails rather than record a
	// hash that may not be of the bytes it wrote.
	ErrSourceChanged = errors.New("source changed while it was copied")

	// ErrBadIntent is ops.ErrBadIntent: an intent that does not fit its
	// operation.
	ErrBadIntent = ops.ErrBadIntent
	// ErrDriveUnmapped is fsroot.ErrDriveUnmapped.
	ErrDriveUnmapped = fsroot.ErrDriveUnmapped
	// ErrBadPath is fsroot.ErrBadPath.
	ErrBadPath = fsroot.ErrBadPath
	// ErrAmbiguous is fsroot.ErrAmbiguous.
	ErrAmbiguous = fsroot.ErrAmbiguous
	// ErrTooManyMatches is fsroot.ErrTooManyMatches.
	ErrTooManyMatches = fsroot.ErrTooManyMatches
)
