package ops

import "strings"

// Kind names the type of an operation.
type Kind string

// The kinds of operation an entry parses into.
const (
	KindCopy Kind = "copy" // copy SRC DST [/y|/-y] [/v] [/a|/b]; also `copy FILE+,,` (touch)
	KindDel  Kind = "del"  // del|erase PATH [/q] [/f]
	KindMove Kind = "move" // move SRC DST (records from before KindRen hold ren and rename entries too)
	KindRen  Kind = "ren"  // ren|rename OLD NEW: NEW is a name (wildcards allowed) in OLD's folder
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
	// DstDir says Dst was written ending in a backslash (or a slash): it
	// names a folder, which must exist when the operation runs; nothing
	// is ever written to a file of that name.
	DstDir bool `json:"dstDir,omitempty"`
	// NewName is ren's second argument as written: a name in Src's folder,
	// never a path; `*` and `?` in it follow cmd.exe's wildcard-rename
	// rules (RenameName).
	NewName string `json:"newName,omitempty"`
	// Join holds the further sources of a concatenation, `copy A+B+C DST`
	// (A is Src): each is appended to what comes before it.
	Join []JoinPart `json:"join,omitempty"`

	// NoOverwrite is copy's /-y: an existing destination is not replaced
	// and the operation fails.
	NoOverwrite bool `json:"noOverwrite,omitempty"`
	// Verify is copy's /v: the written file is read back and compared.
	Verify bool `json:"verify,omitempty"`
	// ASCII is copy's /a in effect for Src: the source is text and ends
	// at its first Ctrl-Z (0x1A), as in DOS. Binary is /b in effect for
	// Src. With neither, a plain copy reads binary and a concatenation
	// text (see CopyModes).
	ASCII  bool `json:"ascii,omitempty"`
	Binary bool `json:"binary,omitempty"`
	// DstASCII is /a in effect for copy's destination: one Ctrl-Z is
	// written at its end. DstBinary is /b in effect for it: none is. With
	// neither, a concatenation gets one and a plain copy none.
	DstASCII  bool `json:"dstAscii,omitempty"`
	DstBinary bool `json:"dstBinary,omitempty"`
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
	for _, j := range o.Join {
		ps = append(ps, j.Path)
	}
	if !o.Dst.IsZero() {
		ps = append(ps, o.Dst)
	}
	if o.Kind == KindRen && !strings.ContainsAny(o.NewName, "*?") && !o.Src.HasWildcard() {
		ps = append(ps, o.Src.Parent().Join(RenameName(o.NewName, o.Src.Base())))
	}
	return ps
}

// JoinPart is one further source of a concatenation: its path (a wildcard
// names the files it matches, in name order) and the /a or /b in effect
// for it.
type JoinPart struct {
	Path   Path `json:"path"`
	ASCII  bool `json:"ascii,omitempty"`
	Binary bool `json:"binary,omitempty"`
}
