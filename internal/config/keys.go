package config

import (
	"fmt"
	"math"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
)

// Kind is the type of a setting's value.
type Kind int

// The kinds of values.
const (
	// KindPath is an absolute path; "" leaves the default.
	KindPath Kind = iota
	// KindChoice is one of Key.Choices.
	KindChoice
	// KindCount is a whole number, 1 or more.
	KindCount
	// KindDuration is a Go duration (90s, 5m, 1h30m), 0 or more.
	KindDuration
	// KindSize is a byte count (1GiB, 500MB, 0), or -1 for no bound.
	KindSize
	// KindBool is true or false (yes/no, on/off, 1/0).
	KindBool
)

// Key is one setting: the flag of the same name overrides it.
type Key struct {
	// Name is the setting's name: the flag's name, prefixed by its
	// section in the file ("run.op-timeout" is op-timeout under [run];
	// "ini" has no section).
	Name    string
	Kind    Kind
	Choices []string
	// Default is the default as `smswork config` prints it.
	Default string
	// Doc says what the setting does.
	Doc string
	// Positive refuses 0 (a duration that must be above 0).
	Positive bool
}

// Section is the file section the key belongs in ("" for the top).
func (k Key) Section() string {
	s, _, ok := strings.Cut(k.Name, ".")
	if !ok {
		return ""
	}
	return s
}

// Flag is the command-line flag that overrides the key.
func (k Key) Flag() string {
	_, f, ok := strings.Cut(k.Name, ".")
	if !ok {
		return k.Name
	}
	return f
}

// DrivesSection is the file section of drive mappings: one key a drive
// letter, its value the host folder (`C = /mnt/image/c`), as --drive C=DIR.
const DrivesSection = "drives"

// Keys returns every setting but the drive mappings, in the order
// `smswork config` prints them.
func Keys() []Key {
	return []Key{
		{Name: "ini", Kind: KindPath, Default: "(platform's: C:\\SMS.INI; $STATE_DIRECTORY/SMS.INI or /var/lib/smswork/SMS.INI)", Doc: "path of SMS.INI"},
		{Name: "journal", Kind: KindPath, Default: "(smswork.journal beside SMS.INI)", Doc: "path of the journal"},
		{Name: "backups", Kind: KindPath, Default: "(the journal's path + .backups)", Doc: "the backup folder, for undo"},
		{Name: "log-format", Kind: KindChoice, Choices: []string{"console", "json"}, Default: "(console on a terminal, json otherwise)", Doc: "how logs are written to standard error"},
		{Name: "log-file", Kind: KindPath, Default: "(none)", Doc: "also append the log, as JSON lines, to this file"},
		{Name: "run.interrupted", Kind: KindChoice, Choices: []string{"rerun", "hold"}, Default: Interrupted, Doc: "what to do with an interrupted run operation"},
		{Name: "run.max-attempts", Kind: KindCount, Default: strconv.Itoa(MaxAttempts), Doc: "hold an operation interrupted this many times"},
		{Name: "run.on-error", Kind: KindChoice, Choices: []string{"stop", "continue"}, Default: OnError, Doc: "after a failed operation: stop the queue, or continue"},
		{Name: "run.in-use", Kind: KindChoice, Choices: []string{"reboot", "fail"}, Default: InUse(runtime.GOOS), Doc: "a file in use (Windows): hand it to Session Manager for the next boot, or fail"},
		{Name: "run.on-reboot", Kind: KindChoice, Choices: []string{"stop", "continue"}, Default: OnReboot, Doc: "after an operation waits for the reboot: stop the queue, or continue with entries that touch none of its paths"},
		{Name: "run.op-timeout", Kind: KindDuration, Positive: true, Default: OpTimeout.String(), Doc: "time limit of each run operation"},
		{Name: "run.deadline", Kind: KindDuration, Default: Deadline.String(), Doc: "bound the whole run; what is not reached stays queued (0: none)"},
		{Name: "run.keep-backups", Kind: KindSize, Default: KeepBackups, Doc: "bytes of backups finished batches keep for undo (-1: no bound)"},
		{Name: "run.atomic", Kind: KindBool, Default: "false", Doc: "make every batch that starts all-or-nothing"},
		{Name: "run.on-rollback", Kind: KindChoice, Choices: []string{"keep", "drop"}, Default: OnRollback, Doc: "after a rollback (atomic): keep the batch queued, or drop it"},
	}
}

// keyByName returns the key named name (case-insensitively).
func keyByName(name string) (Key, bool) {
	for _, k := range Keys() {
		if strings.EqualFold(k.Name, name) {
			return k, true
		}
	}
	return Key{}, false
}

// check validates text as a value of k and returns it normalised
// (choices in lower case, booleans as true/false).
func (k Key) check(text string) (string, error) {
	switch k.Kind {
	case KindPath:
		if text == "" {
			return "", nil
		}
		if !filepath.IsAbs(text) {
			return "", fmt.Errorf("%q is not an absolute path (there is no current folder at boot)", text)
		}
		return filepath.Clean(text), nil
	case KindChoice:
		for _, c := range k.Choices {
			if strings.EqualFold(text, c) {
				return c, nil
			}
		}
		return "", fmt.Errorf("%q: want %s", text, strings.Join(k.Choices, " or "))
	case KindCount:
		n, err := strconv.Atoi(text)
		if err != nil || n < 1 {
			return "", fmt.Errorf("%q: want a whole number, 1 or more", text)
		}
		return strconv.Itoa(n), nil
	case KindDuration:
		d, err := time.ParseDuration(text)
		if err != nil || d < 0 || (k.Positive && d == 0) {
			least := "0 or more"
			if k.Positive {
				least = "above 0"
			}
			return "", fmt.Errorf("%q: want a duration such as 90s, 5m or 1h30m, %s", text, least)
		}
		return d.String(), nil
	case KindSize:
		if _, err := ParseSize(text); err != nil {
			return "", err
		}
		return text, nil
	case KindBool:
		switch strings.ToLower(text) {
		case "true", "yes", "on", "1":
			return "true", nil
		case "false", "no", "off", "0":
			return "false", nil
		}
		return "", fmt.Errorf("%q: want true or false", text)
	}
	return "", fmt.Errorf("unknown kind %d", k.Kind)
}

// ParseSize reads a byte count such as 1GiB, 500MB or 0; -1 (or
// "unlimited") means no bound.
func ParseSize(s string) (int64, error) {
	if s == "-1" || strings.EqualFold(s, "unlimited") {
		return -1, nil
	}
	n, err := humanize.ParseBytes(s)
	if err != nil {
		return 0, fmt.Errorf("%q: want a size such as 1GiB, 500MB or 0, or -1 for no bound", s)
	}
	if n > math.MaxInt64 {
		return 0, fmt.Errorf("%q: too large", s)
	}
	return int64(n), nil
}

// checkDrive validates a drive mapping: a letter A-Z and an absolute host
// folder. It returns the letter in upper case.
func checkDrive(letter, dir string) (string, error) {
	if len(letter) != 1 || !(letter[0] >= 'A' && letter[0] <= 'Z' || letter[0] >= 'a' && letter[0] <= 'z') {
		return "", fmt.Errorf("drive %q: want a letter A to Z", letter)
	}
	if dir == "" || !filepath.IsAbs(dir) {
		return "", fmt.Errorf("drive %s: %q is not an absolute folder", strings.ToUpper(letter), dir)
	}
	return strings.ToUpper(letter), nil
}
