package journal

import (
	"time"

	"smswork/ops"
)

// State is where an operation is in its life.
type State string

// The states of a queued operation.
const (
	// Queued: ingested, not started.
	Queued State = "queued"
	// Intent: its intent marker is durable; it may have touched files.
	Intent State = "intent"
	// Held: interrupted and waiting for a person (smswork resolve).
	Held State = "held"
	// Reboot: a file it must change is in use and was handed to
	// Windows' Session Manager (its Intent.Handoff): it waits for the
	// next boot, stays in SMS.INI, and the next start confirms it.
	Reboot State = "reboot"
	// Committed: its outcome is durable; it waits only to leave SMS.INI.
	Committed State = "committed"
	// Staged: done inside an atomic batch that has not ended: its outcome
	// and audit record are durable, but SMS.INI keeps listing it, since
	// a rollback of the batch may queue it again. The batch's last
	// commit turns every Staged entry of it Committed.
	Staged State = "staged"
)

// Decision is a person's answer for a held operation, or for one whose
// last attempt failed.
type Decision string

// The decisions smswork resolve records.
const (
	Rerun Decision = "rerun"
	Skip  Decision = "skip"
)

// Entry is one operation in the queue bucket.
type Entry struct {
	Seq   uint64 `json:"seq"`
	Batch uint64 `json:"batch"`
	// Pos is the 1-based position of the entry in its batch.
	Pos int `json:"pos"`
	// Raw is the entry's text exactly as SMS.INI held it.
	Raw   string `json:"raw"`
	Op    ops.Op `json:"op"`
	State State  `json:"state"`
	// Intent is the intent marker, set when State reaches Intent.
	Intent   *ops.Intent `json:"intent,omitempty"`
	IntentAt time.Time   `json:"intentAt,omitzero"`
	// Attempts counts intent markers written: 2 or more means earlier
	// attempts were interrupted (or failed and were retried at a later run).
	Attempts int `json:"attempts"`
	// Interrupted counts attempts found interrupted by recovery.
	Interrupted int `json:"interrupted,omitempty"`
	// HeldReason says why the operation is held.
	HeldReason string `json:"heldReason,omitempty"`
	// Decision, DecidedBy and DecidedAt record a person's resolve.
	Decision  Decision  `json:"decision,omitempty"`
	DecidedBy string    `json:"decidedBy,omitempty"`
	DecidedAt time.Time `json:"decidedAt,omitzero"`
	// Failure is the error of the operation's last attempt when that
	// attempt failed and the operation stayed queued (it is tried again at
	// the next run, or skipped with smswork resolve); FailedAt is when.
	Failure  string    `json:"failure,omitempty"`
	FailedAt time.Time `json:"failedAt,omitzero"`
}

// Batch is one ingestion of PendingWork entries.
type Batch struct {
	ID       uint64    `json:"id"`
	Time     time.Time `json:"time"`
	Host     string    `json:"host"`
	Ini      string    `json:"ini"`
	FirstSeq uint64    `json:"firstSeq"`
	Entries  int       `json:"entries"`
	// Atomic marks an all-or-nothing batch: when one of its operations
	// fails, those it completed are undone in reverse order (see
	// UndoProgress), then the batch is kept queued or dropped, as
	// OnRollback says. Set at ingestion (smswork add --atomic) or by
	// run --atomic before the batch's first operation starts.
	Atomic     bool           `json:"atomic,omitempty"`
	OnRollback RollbackChoice `json:"onRollback,omitempty"`
	// State is where the batch is: "" while it has work left.
	State BatchState `json:"state,omitempty"`
	// RolledBack counts the rollbacks of an atomic batch kept queued.
	RolledBack int `json:"rolledBack,omitempty"`
	// Undo is a rollback or an undo in progress.
	Undo *UndoProgress `json:"undo,omitempty"`
	// UndoBarrier is the operation an undo or rollback stopped at (a run
	// operation, or one whose intent says it cannot be undone): it and
	// the operations before it keep their effects.
	UndoBarrier uint64 `json:"undoBarrier,omitempty"`
	// BackupBytes sums the sizes of the backups the batch's intents
	// recorded; Backups says whether they are still kept.
	BackupBytes int64        `json:"backupBytes,omitempty"`
	Backups     BackupsState `json:"backups,omitempty"`
	// Discard names backup files no undo needs any more (those of the
	// steps an undo restored), removed by the next backup prune.
	Discard []string `json:"discard,omitempty"`
}

// Record is one audit record: a committed outcome.
type Record struct {
	ID    uint64 `json:"id"`
	Seq   uint64 `json:"seq"`
	Batch uint64 `json:"batch"`
	Pos   int    `json:"pos"`
	Raw   string `json:"raw"`
	Op    ops.Op `json:"op"`
	// Outcome is the operation's result; Result.Outcome repeated at the
	// top for filters.
	Outcome ops.Outcome `json:"outcome"`
	Result  ops.Result  `json:"result"`
	// Attempts and Interrupted as in Entry: Interrupted > 0 with a done
	// outcome is "interrupted then rerun" (or finished, for file ops).
	Attempts    int      `json:"attempts"`
	Interrupted int      `json:"interrupted,omitempty"`
	Decision    Decision `json:"decision,omitempty"`
	DecidedBy   string   `json:"decidedBy,omitempty"`
	// DecidedAt is when the person decided (smswork resolve).
	DecidedAt time.Time `json:"decidedAt,omitzero"`
	// StillQueued marks a failed attempt that stopped the queue: the
	// operation stays in SMS.INI and is tried again at the next run.
	StillQueued bool      `json:"stillQueued,omitempty"`
	Committed   time.Time `json:"committed"`
	Host        string    `json:"host"`
	Version     string    `json:"version"`
	// Intent is the operation's intent marker as it was executed: the
	// expansion of a wildcard into single files, and for a move whether it
	// crossed file systems. Nil for an operation that never reached its
	// intent (a skip decided before it ran, a checkpoint).
	Intent *ops.Intent `json:"intent,omitempty"`
	// Checkpoint is set on the checkpoint record that stands for records
	// removed by smswork history prune (Outcome is ops.Checkpoint).
	Checkpoint *Checkpoint `json:"checkpoint,omitempty"`
	// Undoes is, on an undo step's record (outcome undone), the record
	// whose operation's prior state was restored.
	Undoes uint64 `json:"undoes,omitempty"`
	// Salvage is set on the records smswork journal salvage writes: one
	// standing for history records it could not read (outcome lost), and
	// the one saying what it did (outcome salvaged).
	Salvage *SalvageMark `json:"salvage,omitempty"`
	// Prev is the hash of the previous record (for a checkpoint: of the
	// last record it stands for, the pruned head); Hash this record's. See
	// the package documentation for the canonical encoding they cover.
	// Hash must stay the last field: the canonical encoding depends on it.
	Prev string `json:"prev"`
	Hash string `json:"hash"`
}

// Checkpoint says what a checkpoint record stands for: every history
// record up to and including Through was removed by a prune, and the
// chain goes on from the record's Prev, the hash of record Through.
type Checkpoint struct {
	// Through is the ID of the last record removed; the checkpoint is
	// stored under that ID, in the removed record's place.
	Through uint64 `json:"through"`
	// Pruned counts the records (checkpoints aside) that the prune which
	// wrote this checkpoint removed.
	Pruned uint64 `json:"pruned"`
	// Before is the prune's cut-off: the records removed were committed
	// before it.
	Before time.Time `json:"before"`
}

// IsCheckpoint reports whether r is a checkpoint record.
func (r *Record) IsCheckpoint() bool { return r.Outcome == ops.Checkpoint }

// MirrorState says which operations SMS.INI lists: those from Start on.
type MirrorState struct {
	Start uint64 `json:"start"`
	// Pending is an SMS.INI rewrite in flight.
	Pending *PendingMirror `json:"pending,omitempty"`
}

// PendingMirror is an SMS.INI rewrite whose temporary file is durable and
// about to be renamed over SMS.INI.
type PendingMirror struct {
	Start uint64 `json:"start"`
	Temp  string `json:"temp"`
	// Added, when not 0, is the first operation that only the temporary
	// file lists: a batch ingested by smswork add --atomic with this
	// rewrite. Should the rename not land, SMS.INI lists the operations
	// before it, and the next reconciliation writes the batch in.
	Added uint64 `json:"added,omitempty"`
}
