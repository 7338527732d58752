package exec

import (
	"smswork/ops"
)

// Change is what an operation does to one path.
type Change int

// The changes an Effect describes.
const (
	// Replaced: a file is put at Path (a copy's destination, a
	// cross-device move's), whatever was there before. SHA256 and Size
	// are its content when the result records it (Written).
	Replaced Change = iota + 1
	// Removed: the file (or link) at Path is gone.
	Removed
	// RemovedDir: the folder at Path is gone; with Tree, everything below
	// it too (rd /s).
	RemovedDir
	// Moved: what was at Path (a file, or a folder with everything below
	// it) is now at To, by one rename.
	Moved
	// Touched: the file at Path has a new modification time; its content
	// and size are unchanged.
	Touched
	// MadeDir: a folder is at Path, with the parents it lacked.
	MadeDir
	// Unknown: with a zero Path, a program ran and any path may have
	// changed; with a Path, that path may have changed in a way the record
	// does not tell (a move whose intent is unknown).
	Unknown
)

// Effect is one change an operation makes: what backups keep before it
// (backup.Plan), what an undo checks is still in place (backup.Conflicts),
// and what the audit history says files hold (verify --files).
type Effect struct {
	Change Change
	// Path is the path changed (the zero Path for a program's Unknown).
	Path ops.Path
	// To is where Moved put Path.
	To ops.Path
	// Tree marks a RemovedDir that removed all below Path.
	Tree bool
	// Written says the result records this path (Replaced, Removed,
	// RemovedDir, Moved): the operation reached it. Always false when
	// Effects is given no result.
	Written bool
	// SHA256 and Size are the content a Replaced file was given, when
	// the result knows it.
	SHA256 string
	Size   int64
}

// Effects describes, reading no file, the paths op changes with intent in
// and the state it leaves there, in the order it changes them. res is the
// operation's result, or nil before it ran: with a result, the effects it
// reached are marked Written and carry what was written. Without an intent
// (a record that has none), the effects are read from the result alone.
func Effects(op *ops.Op, in *ops.Intent, res *ops.Result) []Effect {
	k, err := kindOf(op)
	if err != nil {
		return nil
	}
	return k.effects(op, in, newResults(res))
}

// fromResult returns one effect of change c per file the result records,
// marked Written: the effects of an operation whose intent is unknown.
func (r *results) fromResult(c Change, tree bool) []Effect {
	if r.res == nil {
		return nil
	}
	out := make([]Effect, 0, len(r.res.Files))
	for _, fr := range r.res.Files {
		out = append(out, Effect{Change: c, Path: fr.Path, Tree: tree, Written: true, SHA256: fr.SHA256, Size: fr.Size})
	}
	return out
}

// results finds what a result records of a path.
type results struct {
	res   *ops.Result
	index map[ops.Path]ops.FileResult
}

func newResults(res *ops.Result) *results {
	r := &results{res: res}
	if res != nil && len(res.Files) > 8 {
		r.index = make(map[ops.Path]ops.FileResult, len(res.Files))
		for _, fr := range res.Files {
			if _, dup := r.index[fr.Path]; !dup {
				r.index[fr.Path] = fr
			}
		}
	}
	return r
}

// known reports whether there is a result at all.
func (r *results) known() bool { return r.res != nil }

// file returns the record the result keeps of path p, if any.
func (r *results) file(p ops.Path) (ops.FileResult, bool) {
	if r.res == nil {
		return ops.FileResult{}, false
	}
	if r.index != nil {
		fr, ok := r.index[p]
		return fr, ok
	}
	for _, fr := range r.res.Files {
		if fr.Path == p {
			return fr, true
		}
	}
	return ops.FileResult{}, false
}

// mark returns e marked with what the result records of its path.
func (r *results) mark(e Effect) Effect {
	if fr, ok := r.file(e.Path); ok {
		e.Written = true
		e.SHA256, e.Size = fr.SHA256, fr.Size
	}
	return e
}
