// Package exec performs operations on the drives it is given. An Executor
// has two steps: Prepare computes, reading only, the ops.Intent that is
// journaled before anything is touched; Execute performs the operation as
// that intent records it, and, called again with the same intent after a
// crash at any instant, leaves the files exactly as one uninterrupted
// Execute would have.
//
// Each kind of operation lives in a file of its own (copy.go, touch.go,
// del.go, move.go, dir.go, run.go) behind the kind interface (kind.go):
// its prepare, its execute, and Effects, the description of the paths it
// changes and the state it leaves, which backup (what to keep before it)
// and audit (what the history vouches for) read instead of knowing the
// kinds themselves.
package exec
