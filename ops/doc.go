// Package ops is the vocabulary of PendingWork: the typed operation an
// entry parses into (Op, Path, Kind), what is journaled about it before and
// after it runs (Intent, Item, Backup, Result, FileResult, Outcome), the
// parser, the canonical form that prints an operation back as an entry, and
// the JSON encoding the journal stores (golden files in testdata/golden pin
// it). Its built-ins mean what they mean at cmd.exe's prompt: REN's new
// name (RenameName, cmd.exe's wildcard-rename rules), copy's concatenation
// and positional /a and /b, a destination ending in a backslash naming a
// folder (Op.DstDir).
//
// It is pure: it imports nothing of this project's and performs no I/O, so
// every other package can share its words. Execution is ops/exec's; file
// access internal/fsroot's.
package ops
