package journal

import "errors"

// ErrLocked is returned by Open when another process holds the journal.
var ErrLocked = errors.New("journal is in use by another smswork process")

// ErrVersion is returned by Open for a journal written by a newer smswork.
var ErrVersion = errors.New("journal schema version is newer than this smswork understands")

// ErrNotFound is returned for an operation or record that does not exist.
var ErrNotFound = errors.New("not found")

// ErrState is returned when an operation is not in the state a change needs
// (resolving an operation that is not held, for example).
var ErrState = errors.New("operation is not in a state that allows this")

// ErrCorrupt is returned when a stored value cannot be decoded.
var ErrCorrupt = errors.New("journal record is corrupt")

// ErrStop, returned by a walk's callback, ends the walk without error.
var ErrStop = errors.New("stop walking")

// ErrChain is returned by Prune when the hash chain does not verify: a
// prune would destroy the evidence, so a person must look first.
var ErrChain = errors.New("hash chain of the audit history does not verify")

// ErrDamaged is wrapped by the error (a *DamageError) of a journal whose
// file is damaged: pages overwritten, torn or cut off, or values that do
// not decode, where the journal cannot know what it recorded. smswork
// journal salvage sets such a file aside and rebuilds the journal from
// what can still be read.
var ErrDamaged = errors.New("journal file is damaged")
