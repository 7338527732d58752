package backup

import "errors"

// Sentinel errors of this package; callers test them with errors.Is. The
// error returned names the path concerned.
var (
	// ErrChanged: a file to back up is no longer the regular file of the
	// size and modification time its intent recorded.
	ErrChanged = errors.New("changed since its intent was made")
	// ErrNoBackup: the backup file a PriorFile backup names is not in the
	// backup folder.
	ErrNoBackup = errors.New("backup file missing")
	// ErrNoFolder: the folder a path must be put back into does not exist.
	ErrNoFolder = errors.New("its folder does not exist")
	// ErrNotEmpty: a folder the operation created now holds entries; undo
	// does not remove it.
	ErrNotEmpty = errors.New("not removed")
	// ErrInTheWay: an entry of another kind is where a prior state must go
	// back (a folder where a file was, a file where a folder was).
	ErrInTheWay = errors.New("in the way")
	// ErrGone: what undo must move or change back no longer exists.
	ErrGone = errors.New("gone")
	// ErrBadRecord: a backup record that cannot be acted on safely: a
	// malformed name or path, a folder moved to another drive.
	ErrBadRecord = errors.New("bad backup record")
	// ErrIrreversible: the intent says the operation cannot be undone.
	ErrIrreversible = errors.New("cannot be undone")
)
