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
	// Prev is the hash of the previous record; Hash this record's.
	Prev string `json:"prev"`
	Hash string `json:"hash"`
}

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
