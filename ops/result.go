package ops

import "time"

// Outcome is how an operation ended.
type Outcome string

// The outcomes an operation can commit with.
const (
	// Done: the operation changed what it was meant to change.
	Done Outcome = "done"
	// AlreadyDone: its effect was already in place (a del of an absent
	// file, an md of an existing folder, a copy found complete after a
	// crash, from what the intent recorded).
	AlreadyDone Outcome = "already-done"
	// Failed: it could not be done; Result.Err says why.
	Failed Outcome = "failed"
	// Skipped: a person decided (smswork resolve ID skip) not to run it.
	Skipped Outcome = "skipped"
	// Held: it was interrupted and is held for a person's decision; the
	// operation stays queued. Only the audit trail records this outcome.
	Held Outcome = "held"
	// Undone: the record of one undo step; the operation's record named by
	// the record's Undoes field had its prior state restored.
	Undone Outcome = "undone"
	// Dropped: an entry of a rolled-back atomic batch its author chose to
	// drop; it left the queue unrun (or undone).
	Dropped Outcome = "dropped"
	// RebootPending: a file in use was handed to Windows' Session
	// Manager (Intent.Handoff); the operation waits for the next boot,
	// stays queued, and the next start confirms it. Only the audit trail
	// records this outcome, as it does Held.
	RebootPending Outcome = "reboot-pending"
	// Checkpoint: the outcome of a checkpoint record, which stands for the
	// history records a prune removed.
	Checkpoint Outcome = "checkpoint"
	// Lost: the outcome of a record smswork journal salvage wrote in place
	// of history records it could not read from a damaged journal.
	Lost Outcome = "lost"
	// Salvaged: the outcome of the record that ends a salvaged journal's
	// history and says what the salvage kept, lost and held.
	Salvaged Outcome = "salvaged"
)

// Intent is what an operation records in the journal before it touches
// anything: enough for recovery to finish it after a crash without running
// a file operation's effect twice. Prepare computes it with reads only.
type Intent struct {
	// Items is the expansion of the operation into single files: one per
	// file matched by a wildcard, or exactly one. md, rd and run have one
	// item naming their path (run: none).
	Items []Item `json:"items,omitempty"`
	// CrossDevice marks a move whose source and destination are on
	// different file systems: done as a durable copy, then a delete.
	CrossDevice bool `json:"crossDevice,omitempty"`
	// Copied is set, and journaled, once a cross-device move's copy is
	// durable: recovery then only deletes the sources.
	Copied bool `json:"copied,omitempty"`
	// Backups are the prior states of the paths the operation changes,
	// in the order it changes them: undo restores them in reverse.
	// Absent when backups are off.
	Backups []Backup `json:"backups,omitempty"`
	// Irreversible says why the operation cannot be undone (an rd /s of a
	// folder too large to keep); "" when it can.
	Irreversible string `json:"irreversible,omitempty"`
	// Join is set for a concatenation (`copy A+B DST`, or several files
	// copied into one): Items then holds one item, the destination and its
	// temporary file, and Join what is read into it.
	Join *Join `json:"join,omitempty"`
	// Handoff is set once a file the operation must replace or delete
	// was found in use (Windows) and handed to Session Manager: the
	// files it waits for the next boot to change.
	Handoff *Handoff `json:"handoff,omitempty"`
}

// Handoff is the part of an operation handed to Windows' Session Manager
// (MoveFileEx with MOVEFILE_DELAY_UNTIL_REBOOT): for each file in use, the
// staged new bytes and how often the pair was registered. It is journaled
// at each step (staged, registered), before the next.
type Handoff struct {
	Files []HandoffFile `json:"files"`
}

// HandoffFile is one file in use handed to Session Manager.
type HandoffFile struct {
	// Target is the file in use: replaced by Stage, or deleted, at boot.
	Target Path `json:"target"`
	// Stage is the name, in Target's folder (so on its volume), of the
	// durable file holding the new bytes; "" for a delete.
	Stage string `json:"stage,omitempty"`
	// From is the source a move on one volume renames into Stage: the
	// hand-off is recorded with it before that rename, and SHA256 after.
	From Path `json:"from,omitzero"`
	// SHA256 and Size are the staged bytes': once the stage is gone and
	// Target has them, Session Manager replaced it.
	SHA256 string `json:"sha256,omitempty"`
	Size   int64  `json:"size,omitempty"`
	// Registered counts the registrations journaled: 0 staged only (a
	// crash may have come before or after MoveFileEx returned), 1
	// registered, 2 registered again after the pair went missing.
	Registered int `json:"registered,omitempty"`
	// Done says the file was replaced (or deleted) and How says by whom:
	// at boot by Session Manager, or by smswork once the file was free.
	Done bool   `json:"done,omitempty"`
	How  string `json:"how,omitempty"`
}

// Join is what a concatenation reads and what it leaves, exact enough for
// recovery to tell it done, redo it, or refuse: each source as it was when
// the intent was made, and the destination's size and modification time
// once the join is in place.
type Join struct {
	// Parts are the sources, in the order they are joined.
	Parts []JoinSource `json:"parts"`
	// EOF says one Ctrl-Z (0x1A) is written after the last part (the
	// destination is text: /a, or the default of a concatenation).
	EOF bool `json:"eof,omitempty"`
	// Size is the destination's size once joined; ModTime the time it is
	// given, chosen when the intent is made (cmd.exe stamps a join with
	// the time it is made).
	Size    int64     `json:"size"`
	ModTime time.Time `json:"modTime"`
}

// JoinSource is one source of a concatenation: its path, size and
// modification time when the intent was made, and whether it is read as
// text (up to its first Ctrl-Z) or whole.
type JoinSource struct {
	Path    Path      `json:"path"`
	Size    int64     `json:"size"`
	ModTime time.Time `json:"modTime"`
	ASCII   bool      `json:"ascii,omitempty"`
}

// Item is one file of an operation, by host-independent paths relative to
// their drive roots, with the state recovery needs to decide whether the
// file's part is done.
type Item struct {
	Src Path `json:"src"`
	Dst Path `json:"dst,omitzero"`
	// Temp is the name (in Dst's folder) of the temporary file a copy
	// writes before renaming it over Dst; recovery removes a leftover.
	Temp string `json:"temp,omitempty"`
	// SrcExists, SrcSize and SrcModTime describe the source as it was when
	// the intent was made. A copy keeps the modification time, so a
	// destination whose size and time equal these is the copy's result.
	SrcExists  bool      `json:"srcExists,omitempty"`
	SrcSize    int64     `json:"srcSize,omitempty"`
	SrcModTime time.Time `json:"srcModTime,omitzero"`
	// DstExisted says whether the destination existed before the
	// operation (for /-y after a crash, and for the audit).
	DstExisted bool `json:"dstExisted,omitempty"`
	// FirstMissing, for md, is the shallowest folder on the way to Src
	// (Src itself included) that was missing when the intent was made: the
	// first folder the operation may make. Empty when none was missing, and
	// in an intent written before the field existed.
	FirstMissing string `json:"firstMissing,omitempty"`
}

// Result is what an operation did, recorded by its commit marker.
type Result struct {
	Outcome Outcome `json:"outcome"`
	// Err is the error text of a failed operation.
	Err string `json:"err,omitempty"`
	// InUse marks a failure caused by a file held open by another process
	// (Windows sharing violation): the entry stays for the next boot.
	InUse bool `json:"inUse,omitempty"`
	// Replaced says how the files handed to Session Manager were
	// replaced (or deleted): "replaced at boot by Session Manager", one
	// line per file. Empty for an operation with no hand-off.
	Replaced []string `json:"replaced,omitempty"`
	// Files holds, per file written, its path, size and SHA-256.
	Files []FileResult `json:"files,omitempty"`
	// Bytes is the total copied.
	Bytes int64 `json:"bytes,omitempty"`
	// ExitCode, Stdout and Stderr are those of a run operation; the
	// output is bounded (see Executor.MaxOutput) and Truncated says if
	// some was dropped. ExitCode is -1 when the program did not exit by
	// itself (killed at its time limit, or never started).
	ExitCode  int       `json:"exitCode,omitempty"`
	Stdout    string    `json:"stdout,omitempty"`
	Stderr    string    `json:"stderr,omitempty"`
	Truncated bool      `json:"truncated,omitempty"`
	TimedOut  bool      `json:"timedOut,omitempty"`
	Start     time.Time `json:"start,omitzero"`
	End       time.Time `json:"end,omitzero"`
}

// FileResult is one file an operation wrote or removed.
type FileResult struct {
	Path   Path   `json:"path"`
	Size   int64  `json:"size,omitempty"`
	SHA256 string `json:"sha256,omitempty"`
	// SrcSHA256 is the SHA-256 of the source as read (equal to SHA256
	// for a binary copy).
	SrcSHA256 string `json:"srcSha256,omitempty"`
	// Absent marks a file a del found already gone.
	Absent bool `json:"absent,omitempty"`
}

// PriorKind says what a path was before an operation changed it: what
// undoing the operation puts back.
type PriorKind string

// The prior states a Backup records.
const (
	// PriorAbsent: nothing was there; undo removes what the operation put
	// there (a file, a link, or a folder that must then be empty).
	PriorAbsent PriorKind = "absent"
	// PriorFile: a regular file, kept in the backup folder as Backup.Name
	// (a hard link where the file system allows, else a durable copy).
	PriorFile PriorKind = "file"
	// PriorLink: a symbolic link to Backup.Link.
	PriorLink PriorKind = "link"
	// PriorDir: a folder. Undo makes it again (after rd), or, when
	// Backup.Moved is set (a folder moved by one rename), renames the
	// folder at Moved back.
	PriorDir PriorKind = "dir"
	// PriorTime: a file whose modification time the operation set (DOS's
	// touch); undo sets Backup.ModTime back.
	PriorTime PriorKind = "time"
)

// Backup is the prior state of one path an operation changes, recorded in
// its intent marker before the operation touches anything. Undoing the
// operation restores each of its Backups in reverse order.
type Backup struct {
	Path  Path      `json:"path"`
	Prior PriorKind `json:"prior"`
	// Name is the file in the backup folder holding the prior content
	// (PriorFile only).
	Name string `json:"name,omitempty"`
	// Size, Mode (os.FileMode bits) and ModTime describe the prior file
	// or folder.
	Size    int64     `json:"size,omitempty"`
	Mode    uint32    `json:"mode,omitempty"`
	ModTime time.Time `json:"modTime,omitzero"`
	// Link is the target of a prior symbolic link.
	Link string `json:"link,omitempty"`
	// Moved is where a folder moved by one rename went (PriorDir only).
	Moved Path `json:"moved,omitzero"`
}

// Irreversible says why op cannot be undone whatever its intent ("" when
// it can be): a program's effects are unknown to smswork. An operation
// whose intent sets Intent.Irreversible cannot be undone either.
func Irreversible(op *Op) string {
	if op.Kind == KindRun {
		return "a program's effects are not known to smswork"
	}
	return ""
}
