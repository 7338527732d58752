package ops

import (
	"strings"
)

// verbs maps each built-in command word (lower case) to its kind.
var verbs = map[string]Kind{
	"copy":   KindCopy,
	"del":    KindDel,
	"erase":  KindDel,
	"move":   KindMove,
	"ren":    KindRen,
	"rename": KindRen,
	"md":     KindMD,
	"mkdir":  KindMD,
	"rd":     KindRD,
	"rmdir":  KindRD,
}

// builtinVerb returns the kind of the built-in command word w (ASCII case
// is ignored), and whether it is one.
func builtinVerb(w string) (Kind, bool) {
	k, ok := verbs[lowerASCII(w)]
	return k, ok
}

// Parse parses one PendingWork entry (already split from the list and
// trimmed) into an operation. The first word, unquoted and in any ASCII
// case, chooses a built-in command; any other entry is a run of a program,
// split by SplitCommandLine. Nothing is looked up on disk.
//
// Every error is a *ParseError wrapping one of the sentinel errors of this
// package. An accepted entry e satisfies Parse(op.Canonical()) == op.
func Parse(entry string) (*Op, error) {
	if i := strings.IndexAny(entry, "\x00\r\n"); i >= 0 {
		return nil, newPerr(ErrControlChar, "control character %q", entry[i]).at(entry, i+1)
	}
	i := 0
	for i < len(entry) && isArgSpace(entry[i]) {
		i++
	}
	if i == len(entry) {
		return nil, newPerr(ErrEmpty, "empty entry").at(entry, 1)
	}
	j := i
	for j < len(entry) && !isArgSpace(entry[j]) {
		j++
	}
	if kind, ok := builtinVerb(entry[i:j]); ok {
		return parseBuiltin(entry, kind)
	}
	return parseRun(entry)
}

// parseRun parses a run entry: a program and its arguments.
func parseRun(entry string) (*Op, error) {
	args, cols, err := splitCommandLine(entry)
	if err != nil {
		return nil, err
	}
	if len(args) == 0 {
		return nil, newPerr(ErrEmpty, "empty entry").at(entry, 1)
	}
	if p := checkProgram(args[0]); p != nil {
		return nil, p.at(entry, cols[0])
	}
	return &Op{Kind: KindRun, Argv: args}, nil
}

// checkProgram accepts a bare program name (looked up in PATH) or an
// absolute path.
func checkProgram(prog string) *perr {
	switch {
	case prog == "":
		return newPerr(ErrEmptyPath, "empty program name")
	case strings.ContainsAny(prog, `/\`):
		p, pe := parsePath(prog, false)
		if pe != nil {
			return pe
		}
		if p.Rel == "" {
			return newPerr(ErrRootPath, "program %q is a drive root", prog)
		}
	case len(prog) >= 2 && isASCIILetter(prog[0]) && prog[1] == ':':
		return newPerr(ErrRelativePath, "program %q is relative to the current folder of drive %s:; write %s:\\…",
			prog, strings.ToUpper(prog[:1]), strings.ToUpper(prog[:1]))
	case hasControlChar(prog):
		return newPerr(ErrControlChar, "control character in program name %q", prog)
	case strings.ContainsAny(prog, "*?"):
		return newPerr(ErrWildcard, "wildcard in program name %q", prog)
	}
	return nil
}

// verbSwitches is the set of switches each built-in takes, for messages.
var verbSwitches = map[Kind]string{
	KindCopy: "/y, /-y, /v, /a, /b",
	KindDel:  "/q, /f",
	KindRD:   "/s, /q",
}

// setSwitch applies the switch sw (lower case, with its slash) to o.
func (o *Op) setSwitch(sw string) bool {
	switch o.Kind {
	case KindCopy:
		switch sw {
		case "/y":
			o.NoOverwrite = false
		case "/-y":
			o.NoOverwrite = true
		case "/v":
			o.Verify = true
		case "/a":
			o.ASCII = true
		case "/b":
			o.ASCII = false
		default:
			return false
		}
	case KindDel:
		switch sw {
		case "/q":
			o.Quiet = true
		case "/f":
			o.Force = true
		default:
			return false
		}
	case KindRD:
		switch sw {
		case "/s":
			o.Recursive = true
		case "/q":
			o.Quiet = true
		default:
			return false
		}
	default:
		return false
	}
	return true
}

// pathRole says what a path of a command may be.
type pathRole struct {
	wild bool // a wildcard may end it
	root bool // it may be a drive root
}

var (
	roleSrc  = pathRole{wild: true}  // copy and move SRC, del PATH
	roleDst  = pathRole{root: true}  // copy and move DST
	roleDir  = pathRole{}            // md, rd PATH
	roleFile = pathRole{wild: false} // touch FILE
)

// parseBuiltin parses an entry whose first word is a built-in verb.
func parseBuiltin(entry string, kind Kind) (*Op, error) {
	toks, err := lexBuiltin(entry)
	if err != nil {
		return nil, err
	}
	switch kind {
	case KindCopy:
		return parseCopy(entry, toks)
	case KindRen:
		return parseRen(entry, toks)
	}
	verb := lowerASCII(toks[0].text)
	op := &Op{Kind: kind}
	var paths []lexToken
	for _, t := range toks[1:] {
		switch {
		case t.isSwitch():
			if !op.setSwitch(lowerASCII(t.text)) {
				return nil, unknownSwitch(entry, t, verb, kind)
			}
		case !t.quoted && t.text == "/?":
			return nil, newPerr(ErrUnknownSwitch, "unknown switch %q (there is no help here)", t.text).at(entry, t.col)
		default:
			paths = append(paths, t)
		}
	}
	end := len(entry) + 1

	type want struct {
		role pathRole
		dst  bool
	}
	var wants []want
	var need string
	switch kind {
	case KindMove:
		wants = []want{{role: roleSrc}, {role: roleDst, dst: true}}
		need = verb + " needs a source and a destination"
	case KindDel:
		wants = []want{{role: roleSrc}}
		need = verb + " needs one path"
	default:
		wants = []want{{role: roleDir}}
		need = verb + " needs one folder"
	}
	if len(paths) > len(wants) {
		extra := paths[len(wants)]
		return nil, newPerr(ErrArgCount, "%s, got an extra %q", need, extra.text).at(entry, extra.col)
	}
	if len(paths) < len(wants) {
		return nil, newPerr(ErrArgCount, "%s, got %d", need, len(paths)).at(entry, end)
	}
	for i, w := range wants {
		p, pe := pathToken(paths[i], w.role)
		if pe != nil {
			return nil, pe.at(entry, paths[i].col)
		}
		if w.dst {
			op.Dst = p
			op.DstDir = p.Rel != "" && endsInSeparator(paths[i].text, p)
		} else {
			op.Src = p
		}
	}
	return op, nil
}

// unknownSwitch is the error for a switch t the command does not take.
func unknownSwitch(entry string, t lexToken, verb string, kind Kind) error {
	if s, ok := verbSwitches[kind]; ok {
		return newPerr(ErrUnknownSwitch, "unknown switch %q (%s takes %s)", t.text, verb, s).at(entry, t.col)
	}
	return newPerr(ErrUnknownSwitch, "unknown switch %q (%s takes none)", t.text, verb).at(entry, t.col)
}

// touchFile recognises DOS's `copy FILE+,,` (also `copy FILE +,,`) and
// returns the FILE token with the `+,,` taken off.
func touchFile(paths []lexToken) (lexToken, bool) {
	const suffix = "+,,"
	switch {
	case len(paths) == 2 && paths[1].raw == suffix:
		return paths[0], true
	case len(paths) >= 1 && strings.HasSuffix(paths[len(paths)-1].raw, suffix):
		// With other paths before it this is refused by parseTouch.
		t := paths[len(paths)-1]
		t.raw = t.raw[:len(t.raw)-len(suffix)]
		t.text = t.text[:len(t.text)-len(suffix)]
		return t, true
	}
	return lexToken{}, false
}

// touchSplit is the error for a copy path t ending in an unquoted `+`:
// what is left of `copy /b FILE+,,` once the list splitter, which keeps
// only `copy FILE+,,` whole, has split it at its commas.
func touchSplit(t lexToken) *perr {
	return newPerr(ErrSyntax, "%q ends in +; to touch a file write `copy FILE+,,` with no switch or blank", t.raw)
}

// parseTouch finishes a `copy FILE+,,` entry.
func parseTouch(entry string, op *Op, ft lexToken, paths []lexToken) (*Op, error) {
	if len(paths) > 2 || len(paths) == 2 && paths[1].raw != "+,," {
		return nil, newPerr(ErrArgCount, "copy FILE+,, (touch) takes one file").at(entry, paths[0].col)
	}
	if ft.raw == "" {
		return nil, newPerr(ErrArgCount, "copy FILE+,, (touch) needs a file").at(entry, ft.col)
	}
	if op.NoOverwrite || op.Verify || op.ASCII {
		return nil, newPerr(ErrSyntax, "copy FILE+,, (touch) takes no /-y, /v or /a").at(entry, ft.col)
	}
	p, pe := pathToken(ft, roleFile)
	if pe != nil {
		return nil, pe.at(entry, ft.col)
	}
	op.Src = p
	op.Touch = true
	return op, nil
}

// pathToken checks how a path token of a built-in is written, then parses
// its text.
func pathToken(t lexToken, role pathRole) (Path, *perr) {
	if i := unquotedIndex(t.raw, ","); i >= 0 {
		return Path{}, newPerr(ErrSyntax, "comma outside double quotes in %q (quote a name that holds one)", t.raw)
	}
	if sw := gluedSwitch(t.raw); sw != "" {
		return Path{}, newPerr(ErrSyntax, "switch %q is glued to the path %q: put a space before it, or quote the path", sw, t.raw)
	}
	p, pe := parsePath(t.text, role.wild)
	if pe != nil {
		return Path{}, pe
	}
	if p.Rel == "" && !role.root {
		return Path{}, newPerr(ErrRootPath, "%q is the root of %s, not a file or folder below it", t.text, rootLabel(p))
	}
	return p, nil
}

func rootLabel(p Path) string {
	if p.Drive == "" {
		return "/"
	}
	return "drive " + p.Drive + ":"
}

// Limits on a path, so that no entry can make an operation walk, create or
// sync thousands of nested folders (the cost of a path grows with the
// square of its depth) or leave a tree no tool can remove.
const (
	// MaxPathLen is the longest path accepted, in bytes as written: PATH_MAX
	// of Linux, well beyond Windows' MAX_PATH of 260.
	MaxPathLen = 4096
	// MaxNameLen is the longest element of a path, in bytes (NAME_MAX of
	// Linux; NTFS allows 255 UTF-16 units).
	MaxNameLen = 255
	// MaxPathDepth is the most elements a path may have once cleaned: the
	// most a path of MAX_PATH characters can hold.
	MaxPathDepth = 128
)

// parsePath parses an absolute path: `X:\a\b` or `X:/a/b` (a DOS path on
// drive X), or `/a/b` (a native path). It cleans `.` and `..` lexically
// and refuses what docs/CONTRACT.md §3 refuses. wild allows `*` and `?` in the
// last element.
func parsePath(s string, wild bool) (Path, *perr) {
	if s == "" {
		return Path{}, newPerr(ErrEmptyPath, "empty path")
	}
	if hasControlChar(s) {
		return Path{}, newPerr(ErrControlChar, "control character in path %q", s)
	}
	if len(s) > MaxPathLen {
		return Path{}, newPerr(ErrPathTooLong, "path of %d bytes, over the limit of %d", len(s), MaxPathLen)
	}
	isSep := func(c byte) bool { return c == '\\' || c == '/' }
	var p Path
	var rest string
	dos := false
	switch {
	case len(s) >= 2 && isSep(s[0]) && isSep(s[1]):
		if len(s) >= 4 && (s[2] == '?' || s[2] == '.') && isSep(s[3]) {
			return Path{}, newPerr(ErrDevicePath, `device path %q is not supported; write C:\…`, s)
		}
		return Path{}, newPerr(ErrUNCPath, "network path %q is not supported", s)
	case len(s) >= 2 && isASCIILetter(s[0]) && s[1] == ':':
		d := strings.ToUpper(s[:1])
		if len(s) == 2 || !isSep(s[2]) {
			return Path{}, newPerr(ErrRelativePath, "%q is relative to the current folder of drive %s:; write %s:\\%s", s, d, d, s[2:])
		}
		p.Drive, rest, dos = d, s[3:], true
	case s[0] == '/':
		if strings.IndexByte(s, '\\') >= 0 {
			return Path{}, newPerr(ErrInvalidName, "native path %q holds a backslash", s)
		}
		rest = s[1:]
	case s[0] == '\\':
		return Path{}, newPerr(ErrRelativePath, "%q has no drive; write C:%s", s, s)
	default:
		return Path{}, newPerr(ErrRelativePath, "relative path %q; write it from a drive root (C:\\…)", s)
	}

	elems := strings.FieldsFunc(rest, func(r rune) bool { return r == '/' || dos && r == '\\' })
	var out []string
	for i, e := range elems {
		if strings.ContainsAny(e, "*?") {
			if !wild {
				return Path{}, newPerr(ErrWildcard, "wildcard in %q, which must name one file or folder", s)
			}
			if i != len(elems)-1 {
				return Path{}, newPerr(ErrWildcard, "wildcard in %q outside its last element", s)
			}
		}
		switch e {
		case ".":
			continue
		case "..":
			if len(out) == 0 {
				return Path{}, newPerr(ErrLeavesRoot, "%q leaves the root of %s", s, rootLabel(p))
			}
			out = out[:len(out)-1]
			continue
		}
		if dos {
			if pe := checkDOSName(s, e); pe != nil {
				return Path{}, pe
			}
		}
		if len(e) > MaxNameLen {
			return Path{}, newPerr(ErrPathTooLong, "path element of %d bytes, over the limit of %d", len(e), MaxNameLen)
		}
		out = append(out, e)
	}
	if len(out) > MaxPathDepth {
		return Path{}, newPerr(ErrPathTooLong, "path %d elements deep, over the limit of %d", len(out), MaxPathDepth)
	}
	p.Rel = strings.Join(out, "/")
	return p, nil
}

// dosDeviceNames holds the DOS device names, which name a device in
// every folder and with any extension.
var dosDeviceNames = map[string]bool{
	"CON": true, "PRN": true, "AUX": true, "NUL": true, "CONIN$": true, "CONOUT$": true,
}

func init() {
	for _, d := range []string{"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "¹", "²", "³"} {
		dosDeviceNames["COM"+d] = true
		dosDeviceNames["LPT"+d] = true
	}
}

// checkDOSName refuses an element e of the DOS path s that Windows cannot
// hold, would change, or takes as a device.
func checkDOSName(s, e string) *perr {
	if i := strings.IndexAny(e, `<>|:"`); i >= 0 {
		return newPerr(ErrInvalidName, "%q holds %q, which a DOS file name cannot", s, e[i])
	}
	if !strings.ContainsAny(e, "*?") && (strings.HasSuffix(e, ".") || strings.HasSuffix(e, " ")) {
		return newPerr(ErrInvalidName, "%q has an element ending in a dot or a space, which Windows drops", s)
	}
	base := e
	if i := strings.IndexByte(base, '.'); i >= 0 {
		base = base[:i]
	}
	base = strings.TrimRight(base, " ")
	if dosDeviceNames[strings.ToUpper(base)] {
		return newPerr(ErrReservedName, "%q names the DOS device %s", s, strings.ToUpper(base))
	}
	return nil
}

// hasControlChar reports whether s holds a control character.
func hasControlChar(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == 0x7f {
			return true
		}
	}
	return false
}
