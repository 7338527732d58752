package recovery

import (
	"errors"
	"fmt"

	"smswork/journal"
	"smswork/ops"
	"smswork/smsini"
)

// EntryError is an entry of SMS.INI that does not parse, located in the
// file: `SMS.INI:2:31: entry 2 "copy a b /x": unknown switch "/x"`; the
// entry is printed as written, cut when long (ops.Show).
type EntryError struct {
	File      string
	Line, Col int
	// Pos is the entry's 1-based position in PendingWork.
	Pos  int
	Text string
	Err  error
}

func (e *EntryError) Error() string {
	msg := e.Err.Error()
	var pe *ops.ParseError
	if errors.As(e.Err, &pe) {
		// The location and the entry are said already.
		if msg = pe.Msg; msg == "" && pe.Err != nil {
			msg = pe.Err.Error()
		}
	}
	return fmt.Sprintf("%s:%d:%d: entry %d %s: %s", e.File, e.Line, e.Col, e.Pos, ops.Show(e.Text), msg)
}

// Unwrap returns the parser's error.
func (e *EntryError) Unwrap() error { return e.Err }

// ParseEntries parses entries (positions firstPos, firstPos+1, ...) into
// operations. It returns the operations of the longest prefix that parses,
// and an error for every entry that does not; callers that need all or
// nothing check len(errs).
func ParseEntries(file string, entries []smsini.Entry, firstPos int) ([]journal.NewEntry, []error) {
	var out []journal.NewEntry
	var errs []error
	for i, en := range entries {
		op, err := ops.Parse(en.Text)
		if err != nil {
			col := en.Col
			var pe *ops.ParseError
			if errors.As(err, &pe) && pe.Col > 0 {
				col += pe.Col - 1
			}
			errs = append(errs, &EntryError{File: file, Line: en.Line, Col: col, Pos: firstPos + i, Text: en.Text, Err: err})
			continue
		}
		if len(errs) == 0 {
			out = append(out, journal.NewEntry{Raw: en.Text, Op: *op})
		}
	}
	return out, errs
}

// ReadProblems turns an error of smsini.Read into every problem a person
// should see at once: for a problem inside the PendingWork value (an
// unterminated quote, an entry too long), the entries before it that do
// not parse, then it. Any other error is returned as it is.
func ReadProblems(file string, err error) error {
	var se *smsini.SyntaxError
	if !errors.As(err, &se) || len(se.Entries) == 0 {
		return err
	}
	_, bad := ParseEntries(file, se.Entries, 1)
	if len(bad) == 0 {
		return err
	}
	return &InputError{Problems: append(bad, err)}
}

// Appended returns the entries of SMS.INI (file) beyond those the journal
// says it lists (known), as run reads them, and whether SMS.INI began with
// them exactly (false: someone edited it by hand, and the journal wins).
func Appended(file []smsini.Entry, known []string) ([]smsini.Entry, bool) {
	return splitAppended(file, known)
}
