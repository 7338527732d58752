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
	// Committed: its outcome is durable; it waits only to leave SMS.INI.
	Committed State = "committed"
)

// Decision is a person's answer for a held operation.
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
	// Decision and DecidedBy record a person's resolve.
	Decision  Decision `json:"decision,omitempty"`
	DecidedBy string   `json:"decidedBy,omitempty"`
}

// Batch is one ingestion of PendingWork entries.
type Batch struct {
	ID       uint64    `json:"id"`
	Time     time.Time `json:"time"`
	Host     string    `json:"host"`
	Ini      string    `json:"ini"`
	FirstSeq uint64    `json:"firstSeq"`
	Entries  int       `json:"entries"`
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
	// removed by smswork history prune (Outcome is OutcomeCheckpoint).
	Checkpoint *Checkpoint `json:"checkpoint,omitempty"`
	// Prev is the hash of the previous record (for a checkpoint: of the
	// last record it stands for, the pruned head); Hash this record's. See
	// the package documentation for the canonical encoding they cover.
	// Hash must stay the last field: the canonical encoding depends on it.
	Prev string `json:"prev"`
	Hash string `json:"hash"`
}

// OutcomeCheckpoint is the outcome of a checkpoint record.
const OutcomeCheckpoint ops.Outcome = "checkpoint"

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
func (r *Record) IsCheckpoint() bool { return r.Outcome == OutcomeCheckpoint }

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
}
