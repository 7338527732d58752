package config

import (
	"fmt"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

// SourceKind says where a setting's value came from.
type SourceKind int

// Where values come from, weakest first: a flag beats the file, which
// beats the default.
const (
	FromDefault SourceKind = iota
	FromFile
	FromEnv
	FromFlag
)

// Source is where one value came from.
type Source struct {
	Kind SourceKind
	// File and Line locate a value read from the configuration file
	// (Line 0: the file as a whole).
	File string
	Line int
	// Name is the flag (without dashes) or the environment variable.
	Name string
}

// String returns "default", "FILE:LINE", "flag --NAME" or "env NAME".
func (s Source) String() string {
	switch s.Kind {
	case FromFile:
		if s.Line > 0 {
			return s.File + ":" + strconv.Itoa(s.Line)
		}
		return s.File
	case FromEnv:
		return "env " + s.Name
	case FromFlag:
		return "flag --" + s.Name
	}
	if s.Name != "" {
		return "default (" + s.Name + ")"
	}
	return "default"
}

// Flag is a flag given on the command line: its name and, for a
// repeatable one (--drive), each value.
type Flag struct {
	Name   string
	Values []string
}

// Drive is one drive mapping and where it came from.
type Drive struct {
	Letter, Dir string
	Source      Source
}

// Settings are the effective settings of one command: defaults, then the
// configuration file, then flags.
type Settings struct {
	// Config is the configuration file read (Found false: none there).
	Config       string
	ConfigFound  bool
	ConfigSource Source

	Ini, Journal, Backups string
	LogFormat, LogFile    string
	Drives                []Drive

	Interrupted string
	MaxAttempts int
	OnError     string
	OpTimeout   time.Duration
	Deadline    time.Duration
	KeepBackups int64
	Atomic      bool
	// InUse and OnReboot are run --in-use and --on-reboot.
	InUse, OnReboot string
	OnRollback      string

	values  map[string]string
	sources map[string]Source
}

// Value returns the effective value of the key named name as text.
func (s *Settings) Value(name string) string { return s.values[name] }

// SourceOf returns where the key named name got its value.
func (s *Settings) SourceOf(name string) Source { return s.sources[name] }

// Options say where Resolve finds what it needs besides the file and the
// flags: the platform (runtime.GOOS) and the environment.
type Options struct {
	GOOS string
	Env  Env
}

// Resolve returns the effective settings: each key's default, overridden
// by the file's value, overridden by a flag of the same name. Drive
// mappings add up: a flag for a letter replaces the file's mapping of it.
// A flag's bad value is an *Error naming the flag.
func Resolve(f *File, flags []Flag, o Options) (*Settings, error) {
	s := &Settings{Config: f.Path, ConfigFound: f.Found, values: map[string]string{}, sources: map[string]Source{}}
	given := map[string]Flag{}
	for _, fl := range flags {
		given[fl.Name] = fl
	}
	for _, k := range Keys() {
		v, src := "", Source{Kind: FromDefault}
		if fv, ok := f.values[k.Name]; ok {
			v, src = fv.text, Source{Kind: FromFile, File: f.Path, Line: fv.line}
		}
		if fl, ok := given[k.Flag()]; ok && len(fl.Values) > 0 {
			src = Source{Kind: FromFlag, Name: k.Flag()}
			text := fl.Values[len(fl.Values)-1]
			if k.Kind == KindPath && text != "" && !filepath.IsAbs(text) {
				// A flag is typed in a shell, which has a current folder.
				abs, err := filepath.Abs(text)
				if err != nil {
					return nil, &Error{Where: src, Msg: err.Error()}
				}
				text = abs
			}
			nv, err := k.check(text)
			if err != nil {
				return nil, &Error{Where: src, Msg: err.Error()}
			}
			v = nv
		}
		if src.Kind == FromDefault {
			v = defaultValue(k)
		}
		s.values[k.Name], s.sources[k.Name] = v, src
	}
	s.derive(o)
	drives := map[string]Drive{}
	for _, d := range f.drives {
		drives[d.letter] = Drive{Letter: d.letter, Dir: d.dir, Source: Source{Kind: FromFile, File: f.Path, Line: d.line}}
	}
	if fl, ok := given["drive"]; ok {
		flagged := map[string]bool{}
		for _, v := range fl.Values {
			l, dir, ok := strings.Cut(v, "=")
			src := Source{Kind: FromFlag, Name: "drive"}
			if !ok {
				return nil, &Error{Where: src, Msg: fmt.Sprintf("%q: want LETTER=FOLDER, as in C=/mnt/image/c", v)}
			}
			letter, err := checkDrive(l, dir)
			if err != nil {
				return nil, &Error{Where: src, Msg: err.Error()}
			}
			if flagged[letter] {
				return nil, &Error{Where: src, Msg: fmt.Sprintf("drive %s: mapped twice", letter)}
			}
			flagged[letter] = true
			drives[letter] = Drive{Letter: letter, Dir: dir, Source: src}
		}
	}
	for _, d := range drives {
		s.Drives = append(s.Drives, d)
	}
	sort.Slice(s.Drives, func(i, j int) bool { return s.Drives[i].Letter < s.Drives[j].Letter })
	return s, s.typed()
}

// defaultValue is k's default as a value ("" where it is derived).
func defaultValue(k Key) string {
	switch k.Kind {
	case KindPath:
		return ""
	case KindChoice:
		if k.Name == "log-format" {
			return ""
		}
	}
	return k.Default
}

// derive fills the paths whose defaults follow from others: SMS.INI in the
// state folder, the journal beside it, the backups beside the journal.
func (s *Settings) derive(o Options) {
	if s.values["ini"] == "" {
		s.values["ini"] = DefaultIni(o.GOOS, o.Env)
		if o.GOOS != "windows" && o.Env("STATE_DIRECTORY") != "" {
			s.sources["ini"] = Source{Kind: FromDefault, Name: "$STATE_DIRECTORY"}
		}
	}
	if s.values["journal"] == "" {
		s.values["journal"] = filepath.Join(filepath.Dir(s.values["ini"]), "smswork.journal")
		s.sources["journal"] = Source{Kind: FromDefault, Name: "beside SMS.INI"}
	}
	if s.values["backups"] == "" {
		s.values["backups"] = s.values["journal"] + ".backups"
		s.sources["backups"] = Source{Kind: FromDefault, Name: "beside the journal"}
	}
}

// typed copies the values into the typed fields (they were checked).
func (s *Settings) typed() error {
	v := s.values
	s.Ini, s.Journal, s.Backups = v["ini"], v["journal"], v["backups"]
	s.LogFormat, s.LogFile = v["log-format"], v["log-file"]
	s.Interrupted, s.OnError, s.OnRollback = v["run.interrupted"], v["run.on-error"], v["run.on-rollback"]
	var err error
	if s.MaxAttempts, err = strconv.Atoi(v["run.max-attempts"]); err != nil {
		return fmt.Errorf("run.max-attempts: %w", err)
	}
	if s.OpTimeout, err = time.ParseDuration(v["run.op-timeout"]); err != nil {
		return fmt.Errorf("run.op-timeout: %w", err)
	}
	if s.Deadline, err = time.ParseDuration(v["run.deadline"]); err != nil {
		return fmt.Errorf("run.deadline: %w", err)
	}
	if s.KeepBackups, err = ParseSize(v["run.keep-backups"]); err != nil {
		return fmt.Errorf("run.keep-backups: %w", err)
	}
	s.Atomic = v["run.atomic"] == "true"
	s.InUse, s.OnReboot = v["run.in-use"], v["run.on-reboot"]
	return nil
}

// DriveMap returns the drive mappings as fsroot.NewDrives takes them.
func (s *Settings) DriveMap() map[string]string {
	m := make(map[string]string, len(s.Drives))
	for _, d := range s.Drives {
		m[d.Letter] = d.Dir
	}
	return m
}

// Explicit reports whether the key named name was set by the file or a
// flag rather than left to its default.
func (s *Settings) Explicit(name string) bool { return s.sources[name].Kind != FromDefault }

// Clone returns a copy of s that can be changed (Set) without changing s.
func (s *Settings) Clone() *Settings {
	c := *s
	c.values, c.sources = map[string]string{}, map[string]Source{}
	for k, v := range s.values {
		c.values[k] = v
	}
	for k, v := range s.sources {
		c.sources[k] = v
	}
	c.Drives = append([]Drive(nil), s.Drives...)
	return &c
}

// Set gives the key named name the value text, from src: for a command
// that makes its own setting (the demo's sandbox). Paths derived from it
// are not derived again.
func (s *Settings) Set(name, text string, src Source) error {
	k, ok := keyByName(name)
	if !ok {
		return fmt.Errorf("unknown setting %q", name)
	}
	v, err := k.check(text)
	if err != nil {
		return &Error{Where: src, Key: k.Name, Msg: err.Error()}
	}
	s.values[k.Name], s.sources[k.Name] = v, src
	return s.typed()
}
