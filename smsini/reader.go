package smsini

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// SectionName and KeyName name the queue; both match case-insensitively.
const (
	SectionName = "SMS Work"
	KeyName     = "PendingWork"
)

var bom = []byte{0xEF, 0xBB, 0xBF}

// Entry is one PendingWork entry as written in the file.
type Entry struct {
	// Text is the entry trimmed of blanks, double quotes kept.
	Text string
	// Line and Col are where the entry starts: 1-based line, 1-based byte
	// column (on the first line, counted after a byte order mark).
	Line, Col int
}

// File is a parsed SMS.INI: its entries, and what Render needs to rewrite
// the PendingWork value and nothing else.
type File struct {
	// Name is the file name given to Parse or Read, used in errors.
	Name string
	// Entries is the queue, left to right; empty when there is no
	// [SMS Work] section or no PendingWork key in it.
	Entries []Entry
	// Missing is set by Read when the file did not exist: it is treated
	// as empty, and Write creates it.
	Missing bool

	data       []byte
	hasSection bool
	hasKey     bool
	// afterHeader is the offset just after the [SMS Work] header line,
	// its line ending included; headerEOL says it has one.
	afterHeader int
	headerEOL   bool
	// valStart and valEnd bound the value span Render replaces.
	valStart, valEnd int
	eol              string
}

// Texts returns the entries' texts, left to right.
func (f *File) Texts() []string {
	out := make([]string, len(f.Entries))
	for i, e := range f.Entries {
		out[i] = e.Text
	}
	return out
}

// Read reads and parses the file at path. A missing file is an empty queue
// (File.Missing set, no error). The size is checked before the file is
// read whole, so a huge file is refused without filling memory.
func Read(path string) (*File, error) {
	fh, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		f, perr := Parse(path, nil)
		if perr != nil {
			return nil, perr
		}
		f.Missing = true
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("stat %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, fmt.Errorf("read %s: %w", path, ErrNotAFile)
	}
	if st.Size() > MaxFileSize {
		return nil, tooLarge(path, st.Size())
	}
	data, err := readLimited(fh, st.Size())
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return Parse(path, data)
}

// readLimited reads r to its end or to MaxFileSize+1 bytes, whichever
// comes first, starting from a buffer of the size the file claims and
// doubling it: what it allocates is bounded by twice the limit, however
// long r goes on.
func readLimited(r io.Reader, size int64) ([]byte, error) {
	buf := make([]byte, 0, min(size, MaxFileSize)+512)
	for {
		if len(buf) == cap(buf) {
			if len(buf) > MaxFileSize {
				return buf, nil
			}
			grown := make([]byte, len(buf), min(2*cap(buf), MaxFileSize+1))
			copy(grown, buf)
			buf = grown
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

func tooLarge(name string, size int64) error {
	return &SyntaxError{File: name, Line: 1, Col: 1,
		Msg: fmt.Sprintf("file is %d bytes, over the limit of %d", size, MaxFileSize), Err: ErrTooLarge}
}

// Parse parses data, the content of the file called name (name is only
// used in errors). See the package doc for the rules. Malformed input is
// reported as a *SyntaxError; the returned File keeps data (not a copy:
// data must not change while the File is in use).
func Parse(name string, data []byte) (*File, error) {
	if len(data) > MaxFileSize {
		return nil, tooLarge(name, int64(len(data)))
	}
	if isUTF16(data) {
		return nil, &SyntaxError{File: name, Line: 1, Col: 1, Msg: ErrUTF16.Error(), Err: ErrUTF16}
	}
	p := &parser{f: &File{Name: name, data: data}, data: data}
	if bytes.HasPrefix(data, bom) {
		p.next = len(bom)
	}
	if err := p.checkBinary(); err != nil {
		return nil, err
	}
	p.f.eol = dominantEOL(data[p.next:])
	if err := p.run(); err != nil {
		return nil, err
	}
	return p.f, nil
}

// checkBinary refuses a NUL byte anywhere (binary data: no text file holds
// one, and Windows would read the line only up to it), and a byte order
// mark anywhere but at the start (two files joined, or an invisible
// character in a name), at its line and column.
func (p *parser) checkBinary() error {
	rest := p.data[p.next:]
	nul := bytes.IndexByte(rest, 0)
	mark := bytes.Index(rest, bom)
	off, msg, err := nul, "NUL byte: binary data, not an INI file", ErrBinary
	if mark >= 0 && (nul < 0 || mark < nul) {
		off, msg, err = mark, "byte order mark (EF BB BF) inside the file, not at its start", ErrMisplacedBOM
	}
	if off < 0 {
		return nil
	}
	off += p.next
	line := 1 + bytes.Count(p.data[:off], []byte("\n"))
	start := bytes.LastIndexByte(p.data[:off], '\n') + 1
	if start == 0 {
		start = p.next
	}
	return &SyntaxError{File: p.f.Name, Line: line, Col: off - start + 1, Msg: msg, Err: err}
}

// isUTF16 recognises a UTF-16 byte order mark, or text whose first bytes
// are interleaved with NULs (UTF-16 without a mark).
func isUTF16(data []byte) bool {
	if bytes.HasPrefix(data, []byte{0xFF, 0xFE}) || bytes.HasPrefix(data, []byte{0xFE, 0xFF}) {
		return true
	}
	n := min(len(data), 64) / 2
	if n == 0 {
		return false
	}
	half := 0
	for i := range n {
		a, b := data[2*i], data[2*i+1]
		if (a == 0) != (b == 0) {
			half++
		}
	}
	return half*4 >= n*3
}

// dominantEOL is the line ending inserted lines get.
func dominantEOL(data []byte) string {
	crlf := bytes.Count(data, []byte("\r\n"))
	lf := bytes.Count(data, []byte("\n")) - crlf
	switch {
	case crlf == 0 && lf == 0 && len(data) > 0:
		return "\n"
	case lf > crlf:
		return "\n"
	}
	return "\r\n"
}

// parser walks the lines of data.
type parser struct {
	f    *File
	data []byte
	// The current line: data[start:end] without its line ending, which
	// runs to next. lineNo is 1-based.
	start, end, next int
	lineNo           int
	inSection        bool
	inWork           bool
}

// line advances to the next line; false at the end of data.
func (p *parser) line() (bool, error) {
	if p.next >= len(p.data) {
		return false, nil
	}
	p.start = p.next
	p.lineNo++
	i := bytes.IndexByte(p.data[p.start:], '\n')
	if i < 0 {
		p.end, p.next = len(p.data), len(p.data)
	} else {
		p.end, p.next = p.start+i, p.start+i+1
		if p.end > p.start && p.data[p.end-1] == '\r' {
			p.end--
		}
	}
	if p.end-p.start > MaxLineLen {
		return false, p.errAt(p.start+MaxLineLen, fmt.Sprintf("line is %d bytes, over the limit of %d", p.end-p.start, MaxLineLen), ErrLineTooLong)
	}
	return true, nil
}

func (p *parser) errAt(off int, msg string, err error) error {
	return &SyntaxError{File: p.f.Name, Line: p.lineNo, Col: off - p.start + 1, Msg: msg, Err: err}
}

// lineKind classifies the current line; first is the offset of its first
// non-blank byte.
type lineKind int

const (
	blankLine lineKind = iota
	commentLine
	headerLine
	otherLine
)

func (p *parser) kind() (lineKind, int) {
	a, _ := trimBlanks(p.data, p.start, p.end)
	switch {
	case a == p.end:
		return blankLine, a
	case p.data[a] == ';' || p.data[a] == '#':
		return commentLine, a
	case p.data[a] == '[':
		return headerLine, a
	}
	return otherLine, a
}

func (p *parser) run() error {
	for {
		ok, err := p.line()
		if err != nil || !ok {
			return err
		}
		k, a := p.kind()
		switch k {
		case headerLine:
			p.header(a)
		case otherLine:
			if err := p.keyLine(a); err != nil {
				return err
			}
		}
	}
}

func (p *parser) header(a int) {
	b := bytes.LastIndexByte(p.data[a:p.end], ']')
	if b < 0 {
		b = p.end
	} else {
		b += a
	}
	s, e := trimBlanks(p.data, a+1, b)
	p.inSection = true
	p.inWork = !p.f.hasSection && strings.EqualFold(string(p.data[s:e]), SectionName)
	if p.inWork {
		p.f.hasSection = true
		p.f.afterHeader = p.next
		p.f.headerEOL = p.next > p.end
	}
}

func (p *parser) keyLine(a int) error {
	eq := bytes.IndexByte(p.data[a:p.end], '=')
	if eq < 0 {
		return nil
	}
	eq += a
	ks, ke := trimBlanks(p.data, a, eq)
	if !strings.EqualFold(string(p.data[ks:ke]), KeyName) {
		return nil
	}
	if !p.inSection {
		return p.errAt(ks, "PendingWork is outside any section; put it under [SMS Work]", ErrOutsideSection)
	}
	if !p.inWork || p.f.hasKey {
		return nil // a later duplicate: Windows reads the first
	}
	f := p.f
	f.hasKey = true
	vs, ve := trimBlanks(p.data, eq+1, p.end)
	f.valStart, f.valEnd = vs, ve
	from := eq + 1
	for {
		res, serr := splitLine(p.data[from:p.end], len(f.Entries))
		if serr != nil && serr.err == ErrTooManyEntries {
			return p.errAt(from+serr.off, serr.msg, serr.err)
		}
		for _, e := range res.entries {
			f.Entries = append(f.Entries, Entry{Text: e.text, Line: p.lineNo, Col: from + e.off - p.start + 1})
		}
		if serr != nil {
			// The entries before the problem go with it: the caller
			// reports the bad ones among them too.
			return &SyntaxError{File: f.Name, Line: p.lineNo, Col: from + serr.off - p.start + 1, Msg: serr.msg, Err: serr.err, Entries: f.Entries}
		}
		if !res.continues {
			return nil
		}
		// The value ends with a separating comma: it continues on the
		// next line unless that is blank, a section header, or absent.
		save := *p
		ok, err := p.line()
		if err != nil {
			return err
		}
		if !ok {
			return nil
		}
		if k, _ := p.kind(); k == blankLine || k == headerLine {
			*p = save
			return nil
		}
		from = p.start
		_, f.valEnd = trimBlanks(p.data, p.start, p.end)
	}
}
