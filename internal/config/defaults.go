package config

import (
	"path/filepath"
	"strings"
	"time"
)

// The defaults of every setting: the one place they are written. The
// flags, the configuration file, `smswork config` and the packages that
// fall back on a default when given none (ops' executor, recovery's
// runner) all read them from here.
const (
	// OpTimeout is the time limit of each run operation (run --op-timeout).
	OpTimeout = 10 * time.Minute
	// MaxAttempts holds an operation interrupted this many times
	// (run --max-attempts).
	MaxAttempts = 3
	// Interrupted is what becomes of a run operation found interrupted
	// (run --interrupted): rerun or hold.
	Interrupted = "rerun"
	// OnError is what follows a failed operation (run --on-error): stop
	// or continue.
	OnError = "stop"
	// OnRollback is the fate of an atomic batch rolled back
	// (run --on-rollback, add --on-rollback): keep or drop.
	OnRollback = "keep"
	// KeepBackups bounds the backups finished batches keep
	// (run --keep-backups).
	KeepBackups = "1GiB"
	// OnReboot is what follows an operation handed to the next boot
	// (run --on-reboot): stop the queue there, or continue with entries
	// that touch none of its paths.
	OnReboot = "stop"
	// Deadline bounds a whole run (run --deadline); 0 is none. The
	// configuration file shipped for the boot unit sets one.
	Deadline = time.Duration(0)
)

// InUse is what run does with a file in use (run --in-use) on goos:
// "reboot" on Windows (hand it to Session Manager for the next boot),
// "fail" elsewhere (only Windows has one; the file stays queued).
func InUse(goos string) string {
	if goos == "windows" {
		return "reboot"
	}
	return "fail"
}

// UnixStateDir is the default state folder on Unix: SMS.INI and the
// journal live there unless configured elsewhere. systemd's
// StateDirectory=smswork creates it (mode 0700) and names it in
// $STATE_DIRECTORY.
const UnixStateDir = "/var/lib/smswork"

// Env is how the defaults read the environment: os.Getenv, or a map in
// tests (no global state).
type Env func(string) string

// DefaultConfigPath is where the configuration file is looked for when
// neither --config nor $SMSWORK_CONFIG names one.
func DefaultConfigPath(goos string, env Env) string {
	if goos == "windows" {
		return windowsDataDir(env) + `\smswork.conf`
	}
	return "/etc/smswork/smswork.conf"
}

// StateDir is the default folder of SMS.INI and the journal: on Windows
// the root of the system drive, where SMS clients keep SMS.INI; elsewhere
// $STATE_DIRECTORY (its first folder) when systemd runs us with
// StateDirectory=, else UnixStateDir.
func StateDir(goos string, env Env) string {
	if goos == "windows" {
		return `C:\`
	}
	if d, _, _ := strings.Cut(env("STATE_DIRECTORY"), ":"); d != "" && filepath.IsAbs(d) {
		return d
	}
	return UnixStateDir
}

// DefaultIni is SMS.INI's default path: C:\SMS.INI on Windows, SMS.INI in
// the state folder elsewhere.
func DefaultIni(goos string, env Env) string {
	if goos == "windows" {
		return `C:\SMS.INI`
	}
	return filepath.Join(StateDir(goos, env), "SMS.INI")
}

// windowsDataDir is %ProgramData%\smswork (C:\ProgramData\smswork when
// the variable is not set).
func windowsDataDir(env Env) string {
	base := env("ProgramData")
	if base == "" {
		base = `C:\ProgramData`
	}
	return strings.TrimRight(base, `\`) + `\smswork`
}
