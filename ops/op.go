package ops

import "strings"

// Kind names the type of an operation.
type Kind string

// The kinds of operation an entry parses into.
const (
	KindCopy Kind = "copy" // copy SRC DST [/y|/-y] [/v] [/a|/b]; also `copy FILE+,,` (touch)
	KindDel  Kind = "del"  // del|erase PATH [/q] [/f]
	KindMove Kind = "move" // move|ren|rename SRC DST
	KindMD   Kind = "md"   // md|mkdir PATH
	KindRD   Kind = "rd"   // rd|rmdir PATH [/s] [/q]
	KindRun  Kind = "run"  // anything else: a program and its arguments
)

// Path is an absolute path as an entry wrote it, split into the drive it
// names and the part under that drive's root. It is pure text: it is mapped
// onto the host file system by Drives.
type Path struct {
	// Drive is the upper-case drive letter ("C") of a DOS path, or "" for
	// a native absolute path ("/usr/lib/x" on Unix).
	Drive string `json:"drive,omitempty"`
	// Rel is the cleaned, slash-separated path below the drive root, with
	// no leading slash and no "." or ".." element; "" is the root itself.
	// Its case is kept as written: matching is case-insensitive at use.
	Rel string `json:"rel"`
}

// String returns the path in the form an entry writes it: `C:\dir\file`
// for a drive path, `/dir/file` for a native one.
func (p Path) String() string {
	if p.Drive == "" {
		return "/" + p.Rel
	}
	return p.Drive + `:\` + strings.ReplaceAll(p.Rel, "/", `\`)
}

// IsZero reports whether p is unset.
func (p Path) IsZero() bool { return p == Path{} }

// HasWildcard reports whether the last element of p holds `*` or `?`.
func (p Path) HasWildcard() bool {
	base := p.Rel[strings.LastIndex(p.Rel, "/")+1:]
	return strings.ContainsAny(base, "*?")
}

// Op is one parsed entry of PendingWork: a typed operation with its
// switches. It is plain data, stored as JSON in the journal; Canonical
// prints it back as an entry that parses to an equal Op.
type Op struct {
	Kind Kind `json:"kind"`

	// Src is the source of copy and move, and the one path of del, md
	// and rd.
	Src Path `json:"src"`
	// Dst is the destination of copy and move: a file, or a folder that
	// exists (or, with several sources, must).
	Dst Path `json:"dst,omitzero"`

	// NoOverwrite is copy's /-y: an existing destination is not replaced
	// and the operation fails.
	NoOverwrite bool `json:"noOverwrite,omitempty"`
	// Verify is copy's /v: the written file is read back and compared.
	Verify bool `json:"verify,omitempty"`
	// ASCII is copy's /a: the source is text and ends at its first
	// Ctrl-Z (0x1A), as in DOS. /b (binary) is the default.
	ASCII bool `json:"ascii,omitempty"`
	// Touch is DOS's `copy FILE+,,`: set FILE's modification time to now.
	Touch bool `json:"touch,omitempty"`
	// Quiet is /q of del and rd (no prompt; there never is one here).
	Quiet bool `json:"quiet,omitempty"`
	// Force is del's /f: read-only files are deleted too.
	Force bool `json:"force,omitempty"`
	// Recursive is rd's /s: the folder is removed with all it holds.
	Recursive bool `json:"recursive,omitempty"`

	// Argv is the program and its arguments of a run operation, split by
	// the Windows command-line rules. Argv[0] is a bare program name
	// (looked up in PATH) or an absolute path.
	Argv []string `json:"argv,omitempty"`
}

// Paths returns every path the operation names, for filters and checks.
func (o *Op) Paths() []Path {
	var ps []Path
	if !o.Src.IsZero() || o.Kind != KindRun {
		ps = append(ps, o.Src)
	}
	if !o.Dst.IsZero() {
		ps = append(ps, o.Dst)
	}
	return ps
}
