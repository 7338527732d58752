package ops

import "strings"

// copyWord is one element of a copy entry, in order: a file (a path, or
// one part of `A+B`), a `+` joining two files, or a switch.
type copyWord struct {
	tok  lexToken // the file or switch; for a `+`, the token it came from
	plus bool
	sw   string // the switch in lower case
}

func (w copyWord) isFile() bool { return !w.plus && w.sw == "" }

// splitPlus splits a path token at its unquoted `+` signs: `a+b` gives
// the file a, a `+`, the file b. Each file keeps its column.
func splitPlus(t lexToken) []copyWord {
	var out []copyWord
	start := 0
	piece := func(end int) {
		if end > start {
			raw := t.raw[start:end]
			out = append(out, copyWord{tok: lexToken{
				text: strings.ReplaceAll(raw, `"`, ""), raw: raw, col: t.col + start, quoted: strings.Contains(raw, `"`),
			}})
		}
	}
	for {
		i := unquotedIndex(t.raw[start:], "+")
		if i < 0 {
			piece(len(t.raw))
			return out
		}
		piece(start + i)
		out = append(out, copyWord{tok: t, plus: true})
		start += i + 1
	}
}

// parseCopy parses a copy entry: `copy FILE+,,` (touch), or sources
// joined by `+` (each a path, a wildcard allowed), then a destination,
// with switches anywhere. /a and /b are placed as cmd.exe places them: a
// file takes the last /a or /b written after it and before the next file,
// else the last one written before it; a file with none takes the default
// decided when the copy runs (text for a concatenation, binary otherwise).
// `copy A+B` with no destination joins into A, as cmd.exe does.
func parseCopy(entry string, toks []lexToken) (*Op, error) {
	verb := lowerASCII(toks[0].text)
	op := &Op{Kind: KindCopy}
	var words []copyWord
	var paths []lexToken
	sawA := false
	for _, t := range toks[1:] {
		switch {
		case t.isSwitch():
			sw := lowerASCII(t.text)
			switch sw {
			case "/a":
				sawA = true
			case "/b":
			default:
				if !op.setSwitch(sw) {
					return nil, unknownSwitch(entry, t, verb, KindCopy)
				}
			}
			words = append(words, copyWord{tok: t, sw: sw})
		case !t.quoted && t.text == "/?":
			return nil, newPerr(ErrUnknownSwitch, "unknown switch %q (there is no help here)", t.text).at(entry, t.col)
		default:
			paths = append(paths, t)
			words = append(words, splitPlus(t)...)
		}
	}
	if ft, ok := touchFile(paths); ok {
		op.ASCII = sawA
		return parseTouch(entry, op, ft, paths)
	}

	var srcs []int // indexes in words
	dst := -1
	afterPlus := false
	var lastPlus copyWord
	for i, w := range words {
		switch {
		case w.sw != "":
		case w.plus:
			switch {
			case len(srcs) == 0:
				return nil, newPerr(ErrSyntax, "+ with no file before it in %q", w.tok.raw).at(entry, w.tok.col)
			case dst >= 0:
				return nil, newPerr(ErrSyntax, "+ after the destination %q: copy joins its sources, then names one destination", words[dst].tok.text).at(entry, w.tok.col)
			case afterPlus:
				return nil, newPerr(ErrSyntax, "two + with no file between them in %q", w.tok.raw).at(entry, w.tok.col)
			}
			afterPlus, lastPlus = true, w
		case len(srcs) == 0 || afterPlus:
			srcs = append(srcs, i)
			afterPlus = false
		case dst < 0:
			dst = i
		default:
			return nil, newPerr(ErrArgCount, "%s needs a source and a destination, got an extra %q", verb, w.tok.text).at(entry, w.tok.col)
		}
	}
	if afterPlus {
		return nil, touchSplit(lastPlus.tok).at(entry, lastPlus.tok.col)
	}
	if len(srcs) == 0 || len(srcs) == 1 && dst < 0 {
		return nil, newPerr(ErrArgCount, "%s needs a source and a destination, got %d", verb, len(srcs)).at(entry, len(entry)+1)
	}

	// modeOf is the /a or /b in effect for the file at words[i].
	modeOf := func(i int) string {
		m := ""
		for j := i + 1; j < len(words) && !words[j].isFile(); j++ {
			if words[j].sw == "/a" || words[j].sw == "/b" {
				m = words[j].sw
			}
		}
		for j := i - 1; m == "" && j >= 0; j-- {
			if words[j].sw == "/a" || words[j].sw == "/b" {
				m = words[j].sw
			}
		}
		return m
	}
	for k, i := range srcs {
		t := words[i].tok
		p, pe := pathToken(t, roleSrc)
		if pe != nil {
			return nil, pe.at(entry, t.col)
		}
		m := modeOf(i)
		if k == 0 {
			op.Src, op.ASCII, op.Binary = p, m == "/a", m == "/b"
			continue
		}
		op.Join = append(op.Join, JoinPart{Path: p, ASCII: m == "/a", Binary: m == "/b"})
	}
	if dst < 0 {
		// copy A+B: A is the destination too.
		if op.Src.HasWildcard() {
			t := words[srcs[0]].tok
			return nil, newPerr(ErrWildcard, "copy %s+... with no destination joins into %q, which must name one file", t.text, t.text).at(entry, t.col)
		}
		op.Dst = op.Src
		m := modeOf(len(words))
		op.DstASCII, op.DstBinary = m == "/a", m == "/b"
		return op, nil
	}
	t := words[dst].tok
	p, pe := pathToken(t, roleDst)
	if pe != nil {
		return nil, pe.at(entry, t.col)
	}
	m := modeOf(dst)
	op.Dst, op.DstASCII, op.DstBinary = p, m == "/a", m == "/b"
	op.DstDir = p.Rel != "" && endsInSeparator(t.text, p)
	return op, nil
}

// endsInSeparator reports whether text, which parsed to p, ends in a
// separator: `\` or `/` for a drive path, `/` for a native one.
func endsInSeparator(text string, p Path) bool {
	return strings.HasSuffix(text, "/") || p.Drive != "" && strings.HasSuffix(text, `\`)
}

// parseRen parses `ren OLD NEW` (also rename): OLD a path (a wildcard
// allowed in its last element), NEW a name in OLD's folder, as written
// (see RenameName). ren takes no switch.
func parseRen(entry string, toks []lexToken) (*Op, error) {
	verb := lowerASCII(toks[0].text)
	var words []lexToken
	for _, t := range toks[1:] {
		switch {
		case t.isSwitch():
			return nil, unknownSwitch(entry, t, verb, KindRen)
		case !t.quoted && t.text == "/?":
			return nil, newPerr(ErrUnknownSwitch, "unknown switch %q (there is no help here)", t.text).at(entry, t.col)
		}
		words = append(words, t)
	}
	need := verb + " needs a file or folder and its new name"
	if len(words) > 2 {
		return nil, newPerr(ErrArgCount, "%s, got an extra %q", need, words[2].text).at(entry, words[2].col)
	}
	if len(words) < 2 {
		return nil, newPerr(ErrArgCount, "%s, got %d", need, len(words)).at(entry, len(entry)+1)
	}
	src, pe := pathToken(words[0], roleSrc)
	if pe != nil {
		return nil, pe.at(entry, words[0].col)
	}
	if pe := checkNewName(words[1], src); pe != nil {
		return nil, pe.at(entry, words[1].col)
	}
	return &Op{Kind: KindRen, Src: src, NewName: words[1].text}, nil
}

// checkNewName refuses a new name of ren that is a path, or that no
// Windows file can be named; one with wildcards is checked whole when
// the rename is prepared, against each name it renames.
func checkNewName(t lexToken, src Path) *perr {
	name := t.text
	if unquotedIndex(t.raw, ",") >= 0 {
		return newPerr(ErrSyntax, "comma outside double quotes in %q (quote a name that holds one)", t.raw)
	}
	if strings.ContainsAny(name, `\/:`) {
		example := lastElement(name)
		if example == "" || strings.ContainsAny(example, "*?") {
			example = "NEWNAME"
		}
		return newPerr(ErrNewNamePath, "%q is a path: ren gives %s a new name in its own folder (ren %s %s); move puts a file elsewhere",
			name, src, src, example)
	}
	if name == "" {
		return newPerr(ErrEmptyPath, "empty new name")
	}
	if hasControlChar(name) {
		return newPerr(ErrControlChar, "control character in new name %q", name)
	}
	if len(name) > MaxNameLen {
		return newPerr(ErrPathTooLong, "new name of %d bytes, over the limit of %d", len(name), MaxNameLen)
	}
	if strings.ContainsAny(name, "*?") {
		if i := strings.IndexAny(name, `<>|"`); i >= 0 {
			return newPerr(ErrInvalidName, "new name %q holds %q, which a DOS file name cannot", name, name[i])
		}
		return nil
	}
	final := RenameName(name, "")
	if final == "" {
		return newPerr(ErrInvalidName, "new name %q is empty once its trailing dots and spaces are dropped", name)
	}
	return checkDOSName(name, final)
}

// lastElement is what follows the last separator of s.
func lastElement(s string) string {
	return s[strings.LastIndexAny(s, `\/:`)+1:]
}
