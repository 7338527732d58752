package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func noEnv(string) string { return "" }

var linux = Options{GOOS: "linux", Env: noEnv}

func TestParse_Valid(t *testing.T) {
	data := "; boot settings\n" +
		"ini = /srv/sms/SMS.INI\n" +
		"log-format = JSON\n" +
		"\n" +
		"[drives]\n" +
		"c = /mnt/image/c\n" +
		"D = \"/mnt/image/d\"\n" +
		"[Run]\n" +
		"Deadline = 5m ; the unit's backstop is a minute later\n" +
		"op-timeout = 90s\n" +
		"max-attempts = 2\n" +
		"keep-backups = 500MiB\n" +
		"atomic = yes\n" +
		"on-error = continue\n"
	f, err := Parse("smswork.conf", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Resolve(f, nil, linux)
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name, got, want, src string
	}{
		{"ini", s.Ini, "/srv/sms/SMS.INI", "smswork.conf:2"},
		{"journal", s.Journal, "/srv/sms/smswork.journal", "default (beside SMS.INI)"},
		{"backups", s.Backups, "/srv/sms/smswork.journal.backups", "default (beside the journal)"},
		{"log-format", s.LogFormat, "json", "smswork.conf:3"},
		{"run.deadline", s.Deadline.String(), "5m0s", "smswork.conf:9"},
		{"run.op-timeout", s.OpTimeout.String(), "1m30s", "smswork.conf:10"},
		{"run.max-attempts", s.Value("run.max-attempts"), "2", "smswork.conf:11"},
		{"run.keep-backups", s.Value("run.keep-backups"), "500MiB", "smswork.conf:12"},
		{"run.atomic", s.Value("run.atomic"), "true", "smswork.conf:13"},
		{"run.on-error", s.OnError, "continue", "smswork.conf:14"},
		{"run.interrupted", s.Interrupted, Interrupted, "default"},
		{"run.on-rollback", s.OnRollback, OnRollback, "default"},
	}
	for _, c := range checks {
		if c.got != c.want || s.SourceOf(c.name).String() != c.src {
			t.Errorf("%s = %q from %s, want %q from %s", c.name, c.got, s.SourceOf(c.name), c.want, c.src)
		}
	}
	if s.KeepBackups != 500<<20 || !s.Atomic || s.MaxAttempts != 2 {
		t.Errorf("typed: keep %d atomic %v attempts %d", s.KeepBackups, s.Atomic, s.MaxAttempts)
	}
	if len(s.Drives) != 2 || s.Drives[0] != (Drive{"C", "/mnt/image/c", Source{Kind: FromFile, File: "smswork.conf", Line: 6}}) ||
		s.Drives[1].Letter != "D" || s.Drives[1].Dir != "/mnt/image/d" || s.Drives[1].Source.Line != 7 {
		t.Errorf("drives: %+v", s.Drives)
	}
}

func TestParse_Bad(t *testing.T) {
	cases := []struct {
		name, data, want string
	}{
		{"unknown key", "ini = /x\nnope = 1\n", `f:2: unknown setting "nope"`},
		{"misplaced key", "deadline = 5m\n", `f:1: unknown setting "deadline" (deadline goes under [run])`},
		{"unknown section", "[runs]\ndeadline = 5m\n", `f:2: unknown setting "runs.deadline" (unknown section [runs]`},
		{"bad duration", "[run]\n\ndeadline = 5 minutes\n", `f:3: run.deadline: "5 minutes": want a duration`},
		{"negative duration", "[run]\ndeadline = -1s\n", `f:2: run.deadline: "-1s"`},
		{"zero op-timeout", "[run]\nop-timeout = 0\n", `f:2: run.op-timeout: "0": want a duration such as 90s, 5m or 1h30m, above 0`},
		{"bad count", "[run]\nmax-attempts = 0\n", `f:2: run.max-attempts: "0": want a whole number, 1 or more`},
		{"bad choice", "[run]\non-error = ignore\n", `f:2: run.on-error: "ignore": want stop or continue`},
		{"bad size", "[run]\nkeep-backups = lots\n", `f:2: run.keep-backups: "lots": want a size`},
		{"bad bool", "[run]\natomic = maybe\n", `f:2: run.atomic: "maybe": want true or false`},
		{"relative path", "journal = var/j\n", `f:1: journal: "var/j" is not an absolute path`},
		{"no equals", "[run]\ndeadline 5m\n", "f:2: \"deadline 5m\" is not `name = value`"},
		{"no name", "= 5\n", "f:1: \"= 5\" is not `name = value`"},
		{"twice", "[run]\ndeadline = 1m\n\nDEADLINE = 2m\n", "f:4: deadline set twice (first at line 2)"},
		{"unclosed section", "[run\n", "f:1: section header without its closing ]"},
		{"bad drive letter", "[drives]\ncc = /mnt/c\n", `f:2: drive "cc": want a letter A to Z`},
		{"relative drive", "[drives]\nc = mnt/c\n", `f:2: drive C: "mnt/c" is not an absolute folder`},
		{"NUL", "ini = /x\x00\n", "f:1: NUL byte"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := Parse("f", []byte(c.data))
			var ce *Error
			if !errors.As(err, &ce) || !errors.Is(err, ErrBad) {
				t.Fatalf("error %v (%T), want a *config.Error", err, err)
			}
			if !strings.HasPrefix(err.Error(), c.want) {
				t.Errorf("error\n  %s\nwant it to start with\n  %s", err, c.want)
			}
		})
	}
}

func TestResolve_FlagsOverrideFile(t *testing.T) {
	f, err := Parse("/etc/smswork/smswork.conf", []byte("[run]\ndeadline = 5m\n[drives]\nC = /mnt/c\nD = /mnt/d\n"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := Resolve(f, []Flag{{Name: "deadline", Values: []string{"30s"}}, {Name: "drive", Values: []string{"d=/other/d", "E=/e"}},
		{Name: "ini", Values: []string{"/img/SMS.INI"}}}, linux)
	if err != nil {
		t.Fatal(err)
	}
	if s.Deadline != 30*time.Second || s.SourceOf("run.deadline").String() != "flag --deadline" {
		t.Errorf("deadline %s from %s", s.Deadline, s.SourceOf("run.deadline"))
	}
	if s.Ini != "/img/SMS.INI" || s.Journal != "/img/smswork.journal" || !s.Explicit("ini") || s.Explicit("journal") {
		t.Errorf("ini %s journal %s", s.Ini, s.Journal)
	}
	want := []Drive{
		{"C", "/mnt/c", Source{Kind: FromFile, File: "/etc/smswork/smswork.conf", Line: 4}},
		{"D", "/other/d", Source{Kind: FromFlag, Name: "drive"}},
		{"E", "/e", Source{Kind: FromFlag, Name: "drive"}},
	}
	if len(s.Drives) != len(want) {
		t.Fatalf("drives %+v", s.Drives)
	}
	for i := range want {
		if s.Drives[i] != want[i] {
			t.Errorf("drive %d: %+v, want %+v", i, s.Drives[i], want[i])
		}
	}
	for _, bad := range []Flag{
		{Name: "deadline", Values: []string{"soon"}},
		{Name: "drive", Values: []string{"C"}},
		{Name: "drive", Values: []string{"C=/a", "c=/b"}},
		{Name: "max-attempts", Values: []string{"-2"}},
	} {
		_, err := Resolve(f, []Flag{bad}, linux)
		var ce *Error
		if !errors.As(err, &ce) || ce.Where.Kind != FromFlag || !strings.HasPrefix(err.Error(), "flag --"+bad.Name+": ") {
			t.Errorf("flag %+v: error %v", bad, err)
		}
	}
}

func TestResolve_Defaults(t *testing.T) {
	cases := []struct {
		name string
		o    Options
		ini  string
		src  string
	}{
		{"linux", linux, "/var/lib/smswork/SMS.INI", "default"},
		{"systemd state directory", Options{GOOS: "linux", Env: func(k string) string {
			if k == "STATE_DIRECTORY" {
				return "/var/lib/smswork2:/var/lib/other"
			}
			return ""
		}}, "/var/lib/smswork2/SMS.INI", "default ($STATE_DIRECTORY)"},
		{"windows", Options{GOOS: "windows", Env: noEnv}, `C:\SMS.INI`, "default"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s, err := Resolve(&File{values: map[string]fileValue{}}, nil, c.o)
			if err != nil {
				t.Fatal(err)
			}
			if s.Ini != c.ini || s.SourceOf("ini").String() != c.src {
				t.Errorf("ini %s from %s, want %s from %s", s.Ini, s.SourceOf("ini"), c.ini, c.src)
			}
			if s.OpTimeout != OpTimeout || s.MaxAttempts != MaxAttempts || s.Interrupted != Interrupted ||
				s.OnError != OnError || s.OnRollback != OnRollback || s.Deadline != Deadline || s.KeepBackups != 1<<30 || s.Atomic {
				t.Errorf("defaults: %+v", s)
			}
		})
	}
}

func TestDefaultConfigPath(t *testing.T) {
	if p := DefaultConfigPath("linux", noEnv); p != "/etc/smswork/smswork.conf" {
		t.Errorf("linux: %s", p)
	}
	if p := DefaultConfigPath("windows", noEnv); p != `C:\ProgramData\smswork\smswork.conf` {
		t.Errorf("windows: %s", p)
	}
	env := func(k string) string {
		if k == "ProgramData" {
			return `D:\Data\`
		}
		return ""
	}
	if p := DefaultConfigPath("windows", env); p != `D:\Data\smswork\smswork.conf` {
		t.Errorf("windows, ProgramData on D: %s", p)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "none.conf")
	f, err := Load(missing, false)
	if err != nil || f.Found {
		t.Errorf("missing default file: %v, found %v", err, f != nil && f.Found)
	}
	if _, err := Load(missing, true); !errors.Is(err, ErrBad) || !strings.HasPrefix(err.Error(), missing+": ") {
		t.Errorf("missing file named explicitly: %v", err)
	}
	if _, err := Load(dir, true); !errors.Is(err, ErrBad) || !strings.Contains(err.Error(), "is a folder") {
		t.Errorf("a folder: %v", err)
	}
	p := filepath.Join(dir, "smswork.conf")
	if err := os.WriteFile(p, []byte("\xEF\xBB\xBF[run]\r\ndeadline = 5m\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err = Load(p, true)
	if err != nil || !f.Found {
		t.Fatalf("load: %v", err)
	}
	s, err := Resolve(f, nil, linux)
	if err != nil || s.Deadline != 5*time.Minute || s.SourceOf("run.deadline").String() != p+":2" {
		t.Errorf("BOM and CRLF: deadline %v from %s, %v", s.Deadline, s.SourceOf("run.deadline"), err)
	}
}

// FuzzParse: whatever the bytes, Parse does not panic, an error is a
// *config.Error on a line of the input, and what parses resolves.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "ini = /x\n[run]\ndeadline = 5m\n", "[drives]\nc = /mnt/c\n", "[run\n", "a=b", "`x` = 1",
		"[run]\ndeadline = \"5m\"\nop-timeout = 1h ; c\n", "[run]\nkeep-backups = -1\natomic = on\n",
		"\"\"\"\n", "[drives]\nC = \"/mnt/c\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := Parse("f", data)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v is not a *config.Error", err)
			}
			if lines := strings.Count(string(data), "\n") + 1; ce.Where.Line < 0 || ce.Where.Line > lines {
				t.Fatalf("error on line %d of %d", ce.Where.Line, lines)
			}
			return
		}
		if _, err := Resolve(file, nil, linux); err != nil {
			t.Fatalf("parsed, but does not resolve: %v", err)
		}
		// Every value is located on the line that sets it.
		lines := strings.Split(string(data), "\n")
		for name, v := range file.values {
			k, _ := keyByName(name)
			if v.line < 1 || v.line > len(lines) || !strings.Contains(strings.ToLower(lines[v.line-1]), k.Flag()) {
				t.Fatalf("%s located on line %d of %q", name, v.line, data)
			}
		}
		for _, d := range file.drives {
			if d.line < 1 || d.line > len(lines) || !strings.Contains(strings.ToUpper(lines[d.line-1]), d.letter) {
				t.Fatalf("drive %s located on line %d of %q", d.letter, d.line, data)
			}
		}
	})
}
