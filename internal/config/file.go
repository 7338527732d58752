package config

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"gopkg.in/ini.v1"
)

// MaxFileSize bounds the configuration file: it holds a few settings.
const MaxFileSize = 1 << 20

// ErrBad is wrapped by every *Error: a configuration file, or a flag,
// that does not say something smswork can use (exit status 2).
var ErrBad = errors.New("bad configuration")

// Error is a setting that cannot be used, located where it was written:
// `/etc/smswork/smswork.conf:7: run.op-timeout: "5 minutes": want a
// duration such as 90s, 5m or 1h30m, above 0`.
type Error struct {
	// Where is the file and line (or the flag) that gave the value.
	Where Source
	// Key names the setting, when there is one.
	Key string
	Msg string
}

func (e *Error) Error() string {
	s := e.Where.String() + ": "
	if e.Key != "" {
		s += e.Key + ": "
	}
	return s + e.Msg
}

// Unwrap lets errors.Is(err, ErrBad) hold.
func (e *Error) Unwrap() error { return ErrBad }

// File is a parsed configuration file: the settings it gives, each with
// the line it is on.
type File struct {
	// Path is the file read; Found says it existed (a missing default
	// file is no error, and gives nothing).
	Path  string
	Found bool
	// values maps a key's name (Key.Name) to the value written.
	values map[string]fileValue
	// drives lists the drive mappings, in the order written.
	drives []fileDrive
}

type fileValue struct {
	text string
	line int
}

type fileDrive struct {
	letter, dir string
	line        int
}

// Load reads the configuration file at path. A missing file gives an
// empty File when required is false (the default path), and an error
// when it is true (--config or $SMSWORK_CONFIG named it).
func Load(path string, required bool) (*File, error) {
	fh, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) && !required {
		return &File{Path: path, values: map[string]fileValue{}}, nil
	}
	if err != nil {
		return nil, &Error{Where: Source{Kind: FromFile, File: path}, Msg: fmt.Sprintf("cannot read the configuration file: %v", errors.Unwrap(err))}
	}
	defer func() { _ = fh.Close() }()
	st, err := fh.Stat()
	if err != nil {
		return nil, fmt.Errorf("configuration file %s: %w", path, err)
	}
	if st.IsDir() {
		return nil, &Error{Where: Source{Kind: FromFile, File: path}, Msg: "is a folder, not a configuration file"}
	}
	if st.Size() > MaxFileSize {
		return nil, &Error{Where: Source{Kind: FromFile, File: path}, Msg: fmt.Sprintf("%d bytes, over the limit of %d", st.Size(), MaxFileSize)}
	}
	data := make([]byte, st.Size())
	if _, err := fh.ReadAt(data, 0); err != nil {
		return nil, fmt.Errorf("read configuration file %s: %w", path, err)
	}
	f, err := Parse(path, data)
	if err != nil {
		return nil, err
	}
	f.Found = true
	return f, nil
}

// Parse reads configuration data, named name in errors. The format is
// INI, read by gopkg.in/ini.v1: `key = value` lines, `[section]` headers,
// `;` and `#` comment lines (and comments after a blank), names
// case-insensitive, values optionally in double quotes. Every key must be
// known, set once, and hold a valid value; the first problem is returned
// as an *Error naming the line.
func Parse(name string, data []byte) (*File, error) {
	f := &File{Path: name, values: map[string]fileValue{}}
	lines, err := indexLines(name, data)
	if err != nil {
		return nil, err
	}
	cfg, err := ini.LoadSources(ini.LoadOptions{
		InsensitiveSections:      true,
		InsensitiveKeys:          true,
		IgnoreContinuation:       true,
		SpaceBeforeInlineComment: true,
		KeyValueDelimiters:       "=",
	}, data)
	if err != nil {
		return nil, &Error{Where: Source{Kind: FromFile, File: name, Line: lineOf(data, err)}, Msg: err.Error()}
	}
	for _, sec := range cfg.Sections() {
		secName := sec.Name()
		if strings.EqualFold(secName, ini.DefaultSection) {
			secName = ""
		}
		for _, k := range sec.Keys() {
			at := lines[secName+"\x00"+k.Name()]
			where := Source{Kind: FromFile, File: name, Line: at}
			if secName == DrivesSection {
				letter, err := checkDrive(k.Name(), k.Value())
				if err != nil {
					return nil, &Error{Where: where, Msg: err.Error()}
				}
				f.drives = append(f.drives, fileDrive{letter: letter, dir: k.Value(), line: at})
				continue
			}
			full := k.Name()
			if secName != "" {
				full = secName + "." + k.Name()
			}
			key, ok := keyByName(full)
			if !ok {
				return nil, &Error{Where: where, Msg: fmt.Sprintf("unknown setting %q%s", full, suggest(secName, k.Name()))}
			}
			v, err := key.check(k.Value())
			if err != nil {
				return nil, &Error{Where: where, Key: key.Name, Msg: err.Error()}
			}
			f.values[key.Name] = fileValue{text: v, line: at}
		}
	}
	sort.SliceStable(f.drives, func(i, j int) bool { return f.drives[i].letter < f.drives[j].letter })
	return f, nil
}

// suggest says where a misplaced key belongs, or which keys the section
// takes.
func suggest(section, key string) string {
	known, sectionKnown := []string{}, section == ""
	for _, k := range Keys() {
		if k.Section() == section {
			known, sectionKnown = append(known, k.Flag()), true
		}
	}
	hint := ""
	if !sectionKnown {
		hint = fmt.Sprintf("unknown section [%s]: sections are [run] and [drives]; ", section)
	}
	for _, k := range Keys() {
		if k.Flag() == key && k.Section() != section {
			if k.Section() == "" {
				return fmt.Sprintf(" (%s%s goes at the top, before any section)", hint, key)
			}
			return fmt.Sprintf(" (%s%s goes under [%s])", hint, key, k.Section())
		}
	}
	if !sectionKnown {
		return " (" + strings.TrimSuffix(hint, "; ") + ")"
	}
	where := "at the top"
	if section != "" {
		where = "under [" + section + "]"
	}
	return fmt.Sprintf(" (%s: %s)", where, strings.Join(known, ", "))
}

// indexLines checks the file's line structure and maps each key
// (lower-case "section\x00key") to its 1-based line: ini.v1 does not say
// where a key was. A line that is neither blank, a comment, a section
// header nor `key = value`, and a key set twice, are errors.
func indexLines(name string, data []byte) (map[string]int, error) {
	at := map[string]int{}
	section := ""
	if bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}) {
		data = data[3:]
	}
	for i, raw := range strings.Split(string(data), "\n") {
		n := i + 1
		where := Source{Kind: FromFile, File: name, Line: n}
		line := strings.TrimSpace(raw)
		switch {
		case line == "", line[0] == ';', line[0] == '#':
			continue
		case strings.ContainsRune(line, 0):
			return nil, &Error{Where: where, Msg: "NUL byte: not a text file"}
		case line[0] == '[':
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, &Error{Where: where, Msg: "section header without its closing ]"}
			}
			section = strings.ToLower(strings.TrimSpace(line[1:end]))
			continue
		}
		k, _, ok := strings.Cut(line, "=")
		k = strings.ToLower(strings.TrimSpace(k))
		if !ok || k == "" {
			return nil, &Error{Where: where, Msg: fmt.Sprintf("%q is not `name = value`", cut(line))}
		}
		if strings.ContainsAny(k, "\"`") {
			return nil, &Error{Where: where, Msg: fmt.Sprintf("setting name %q holds a quote", cut(k))}
		}
		id := section + "\x00" + k
		if first, dup := at[id]; dup {
			return nil, &Error{Where: where, Msg: fmt.Sprintf("%s set twice (first at line %d)", k, first)}
		}
		at[id] = n
	}
	return at, nil
}

// lineOf guesses the line an ini.v1 error is about: the first line that
// the error's text quotes, else 0.
func lineOf(data []byte, err error) int {
	msg := err.Error()
	for i, l := range strings.Split(string(data), "\n") {
		if t := strings.TrimSpace(l); t != "" && strings.Contains(msg, t) {
			return i + 1
		}
	}
	return 0
}

// cut shortens s for a message.
func cut(s string) string {
	const max = 80
	if len(s) <= max {
		return s
	}
	return s[:max] + "…"
}
