package smsini

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"smswork/internal/filelock"
	"smswork/internal/fsroot"
)

// WrapAt is the length past which Render continues the PendingWork value on
// a new line after a separating comma, as the KB article prints it, so no
// line of a long queue nears MaxLineLen.
const WrapAt = 16 << 10

// Render returns the file's bytes with the PendingWork value replaced by
// Join(entries), and every other byte as it was (see the package doc for
// where a missing key or section goes). A value longer than WrapAt goes on
// over continuation lines, each ending with a separating comma. Entries
// must be valid (each one Split back to itself); Render does not check
// them, Write does.
func (f *File) Render(entries []string) []byte {
	v := joinWrapped(entries, f.eol)
	d := f.data
	switch {
	case f.hasKey:
		out := make([]byte, 0, len(d)-(f.valEnd-f.valStart)+len(v))
		out = append(out, d[:f.valStart]...)
		out = append(out, v...)
		return append(out, d[f.valEnd:]...)
	case f.hasSection:
		key := KeyName + "=" + v + f.eol
		out := make([]byte, 0, len(d)+len(key)+len(f.eol))
		out = append(out, d[:f.afterHeader]...)
		if !f.headerEOL {
			out = append(out, f.eol...)
		}
		out = append(out, key...)
		return append(out, d[f.afterHeader:]...)
	}
	add := "[" + SectionName + "]" + f.eol + KeyName + "=" + v + f.eol
	out := make([]byte, 0, len(d)+len(add)+len(f.eol))
	out = append(out, d...)
	if n := len(d); n > 0 && d[n-1] != '\n' && !(n == len(bom) && string(d) == string(bom)) {
		out = append(out, f.eol...)
	}
	return append(out, add...)
}

// joinWrapped is Join, with a line break after a separating comma whenever
// the line would pass WrapAt (never after a touch entry's own commas).
func joinWrapped(entries []string, eol string) string {
	n := 0
	for _, e := range entries {
		n += len(e) + len(Separator)
	}
	if n <= WrapAt {
		return Join(entries)
	}
	var b strings.Builder
	b.Grow(n + n/WrapAt*len(eol) + len(eol))
	line := 0
	for i, e := range entries {
		if i > 0 {
			if line+len(Separator)+len(e) > WrapAt && !strings.HasSuffix(entries[i-1], ",") {
				b.WriteString(",")
				b.WriteString(eol)
				line = 0
			} else {
				b.WriteString(Separator)
				line += len(Separator)
			}
		}
		b.WriteString(e)
		line += len(e)
	}
	return b.String()
}

// Write replaces the file at path with f.Render(entries), atomically and
// durably through fsroot.WriteFile (mode, owner and Windows attributes
// kept; a new file gets mode 0644). It first checks that every entry is
// valid and that the new bytes parse back to exactly entries; on any error
// the file is untouched. The caller should hold Lock(path) from the Read
// that produced f until Write returns.
func Write(path string, f *File, entries []string) error {
	return WriteWithHook(path, f, entries, nil)
}

// WriteWithHook is Write with fsroot.Options.Hook: hook, when not nil, is
// called with the temporary file's name once its bytes are durable and
// before it is renamed over path; an error from hook aborts the write and
// leaves path untouched.
func WriteWithHook(path string, f *File, entries []string, hook func(tempPath string) error) error {
	data, err := render(path, f, entries)
	if err != nil {
		return err
	}
	if err := fsroot.WriteFile(path, data, fsroot.Options{Perm: 0o644, Hook: hook}); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// render is Render after checking entries, and that its result reads back.
func render(path string, f *File, entries []string) ([]byte, error) {
	if err := checkEntries(path, entries); err != nil {
		return nil, err
	}
	data := f.Render(entries)
	g, err := Parse(path, data)
	if err != nil {
		return nil, fmt.Errorf("%s: the new PendingWork would not read back, nothing written: %w", path, err)
	}
	if !slices.Equal(g.Texts(), entries) {
		return nil, fmt.Errorf("%s: the new PendingWork would not read back as given, nothing written: %w", path, ErrInvalidEntry)
	}
	return data, nil
}

func checkEntries(path string, entries []string) error {
	for i, e := range entries {
		if err := validEntry(e); err != nil {
			return fmt.Errorf("%s: entry %d: %w", path, i+1, err)
		}
	}
	return nil
}

// LockPath is the lock file that guards the INI file at iniPath.
func LockPath(iniPath string) string { return iniPath + ".lock" }

// Lock takes the exclusive lock that every writer of iniPath holds from
// its Read to its Write, waiting until ctx is done. Unlock the result.
func Lock(ctx context.Context, iniPath string) (*filelock.Lock, error) {
	return filelock.Acquire(ctx, LockPath(iniPath))
}

// Append adds entries at the end of the PendingWork queue of the file at
// path (creating file, section or key as needed) under Lock(path), so that
// concurrent appenders, and a writer that holds the lock, lose nothing.
// Invalid entries are refused before anything is touched.
func Append(ctx context.Context, path string, entries []string) error {
	_, err := AppendAt(ctx, path, entries)
	return err
}

// AppendAt is Append, and returns the 1-based position in PendingWork of
// the first entry it appended (for messages that number entries as plan
// does).
func AppendAt(ctx context.Context, path string, entries []string) (first int, err error) {
	if err := checkEntries(path, entries); err != nil {
		return 0, err
	}
	if len(entries) == 0 {
		return 0, nil
	}
	l, err := Lock(ctx, path)
	if err != nil {
		return 0, err
	}
	defer func() {
		if uerr := l.Unlock(); uerr != nil {
			err = errors.Join(err, fmt.Errorf("unlock %s: %w", LockPath(path), uerr))
		}
	}()
	f, err := Read(path)
	if err != nil {
		return 0, err
	}
	return len(f.Entries) + 1, Write(path, f, append(f.Texts(), entries...))
}
