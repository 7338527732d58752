package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"smswork/journal"
	"smswork/ops"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// errUsage marks bad command-line usage (exit status 2).
var errUsage = errors.New("usage")

// globalOptions are the flags every command takes.
type globalOptions struct {
	ini       string
	journal   string
	backups   string
	drives    []string
	logFormat string
	logFile   string
	// logLevel is the least level logged (info unless the demo quiets it).
	logLevel zerolog.Level
	stdout   io.Writer
	stderr   io.Writer

	// log is the logger once built; logOut is --log-file, open for
	// appending, closed by closeLog.
	log    *zerolog.Logger
	logOut *os.File
}

const rootLong = `smswork executes the PendingWork queue of SMS.INI's [SMS Work] section, the
way SMSWORK.EXE did at boot (KB139086), but crash-safely: every entry is parsed
into a typed operation (copy, del, move, md, rd, run) before anything runs, and
journaled in a bbolt file with an intent marker before it touches anything and
a commit marker after, so a power loss at any instant resumes correctly. SMS.INI
keeps listing exactly what remains.

At boot it runs as 'smswork run --deadline 5m' from a systemd oneshot unit
(dist/systemd/smswork.service) or a Windows scheduled task at system start
(see the README). Logs go to standard error: readable on a terminal, JSON
lines otherwise; --log-file also appends them to a file. Shell completion:
'smswork completion bash|zsh|fish|powershell --help'.

Exit status:
  0   nothing left to do
  1   an operation failed and the queue stopped (it stays in PendingWork)
  2   bad usage or input, or a damaged journal (smswork journal salvage); nothing changed
  3   an interrupted operation is held for a decision (smswork resolve)
  75  another smswork holds the journal`

// newRoot builds the command tree and returns its global options, whose
// closeLog the caller runs once the command is done.
func newRoot(stdout, stderr io.Writer) (*cobra.Command, *globalOptions) {
	g := &globalOptions{stdout: stdout, stderr: stderr, logLevel: zerolog.InfoLevel}
	cmd := &cobra.Command{
		Use:   "smswork",
		Short: "Crash-safe executor of SMS.INI's PendingWork queue",
		Long:  rootLong,
		Example: `  smswork demo
  smswork --ini /mnt/image/c/SMS.INI --drive C=/mnt/image/c plan
  smswork --drive C=/mnt/image/c add 'copy c:\temp\netapi.dll c:\windows\system\netapi.dll /y'
  smswork --drive C=/mnt/image/c run
  smswork run --deadline 5m --log-file /var/log/smswork.log
  smswork completion bash > /etc/bash_completion.d/smswork`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version,
	}
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w: %v (see %s --help)", errUsage, err, c.CommandPath())
	})
	f := cmd.PersistentFlags()
	f.StringVar(&g.ini, "ini", defaultIni(), "path of SMS.INI")
	f.StringVar(&g.journal, "journal", "", "path of the journal (default: smswork.journal beside SMS.INI)")
	f.StringVar(&g.backups, "backups", "", "the backup folder, for undo (default: the journal's path + .backups)")
	f.StringArrayVar(&g.drives, "drive", nil, "map a DOS drive to a folder, L=DIR (repeatable)")
	f.StringVar(&g.logFormat, "log-format", "", "console or json (default: console on a terminal, json otherwise)")
	f.StringVar(&g.logFile, "log-file", "", "also append the log, as JSON lines, to this file (created 0640)")
	cmd.AddCommand(
		newRunCommand(g),
		newPlanCommand(g),
		newAddCommand(g),
		newStatusCommand(g),
		newResolveCommand(g),
		newUndoCommand(g),
		newHistoryCommand(g),
		newVerifyCommand(g),
		newJournalCommand(g),
		newDemoCommand(g),
	)
	return cmd, g
}

func defaultIni() string {
	if runtime.GOOS == "windows" {
		return `C:\SMS.INI`
	}
	return "/var/lib/smswork/SMS.INI"
}

// journalPath is --journal, or smswork.journal beside SMS.INI.
func (g *globalOptions) journalPath() string {
	if g.journal != "" {
		return g.journal
	}
	return filepath.Join(filepath.Dir(g.ini), "smswork.journal")
}

// backupDir is --backups, or the journal's path + ".backups".
func (g *globalOptions) backupDir() string {
	if g.backups != "" {
		return g.backups
	}
	return g.journalPath() + ".backups"
}

// openDrives parses the --drive flags.
func (g *globalOptions) openDrives() (*ops.Drives, error) {
	m := map[string]string{}
	for _, d := range g.drives {
		letter, dir, err := ops.ParseDriveFlag(d)
		if err != nil {
			return nil, usageErr("--drive %s: %v", d, err)
		}
		m[letter] = dir
	}
	return ops.NewDrives(m)
}

// openJournal opens the journal for writing, or read-only.
func (g *globalOptions) openJournal(readOnly bool) (*journal.Journal, error) {
	host, _ := os.Hostname()
	return journal.Open(g.journalPath(), journal.Options{ReadOnly: readOnly, Host: host, Version: version, Parse: ops.Parse})
}

// logger builds the zerolog logger once: console on a terminal, JSON lines
// otherwise, or as --log-format says; with --log-file, every event is
// also appended to that file as a JSON line (opened O_APPEND, so several
// runs and other writers interleave whole lines).
func (g *globalOptions) logger() (zerolog.Logger, error) {
	if g.log != nil {
		return *g.log, nil
	}
	format := g.logFormat
	if format == "" {
		format = "json"
		if g.stderrIsTerminal() {
			format = "console"
		}
	}
	var out io.Writer
	switch strings.ToLower(format) {
	case "json":
		out = g.stderr
	case "console":
		out = zerolog.ConsoleWriter{Out: g.stderr, TimeFormat: time.TimeOnly}
	default:
		return zerolog.Nop(), usageErr("--log-format %q: want console or json", g.logFormat)
	}
	if g.logFile != "" {
		f, err := os.OpenFile(g.logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
		if err != nil {
			return zerolog.Nop(), usageErr("--log-file: %v", err)
		}
		g.logOut = f
		out = zerolog.MultiLevelWriter(out, f)
	}
	log := zerolog.New(out).Level(g.logLevel).With().Timestamp().Logger()
	g.log = &log
	return log, nil
}

// closeLog closes --log-file, if it was opened.
func (g *globalOptions) closeLog() error {
	if g.logOut == nil {
		return nil
	}
	err := g.logOut.Close()
	g.logOut = nil
	if err != nil {
		return fmt.Errorf("close log file %s: %w", g.logFile, err)
	}
	return nil
}

// stderrIsTerminal says whether the standard error is a terminal.
func (g *globalOptions) stderrIsTerminal() bool {
	f, ok := g.stderr.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

// progress is how copies report their progress: a bar on a terminal, a
// log event every few seconds otherwise.
func (g *globalOptions) progress(log zerolog.Logger) ops.ProgressFunc {
	if g.stderrIsTerminal() {
		return ops.NewProgressBar(g.stderr, nil)
	}
	return ops.NewProgressLog(log, progressLogInterval, nil)
}

// progressLogInterval is how often a long copy logs its progress when
// there is no terminal to draw a bar on.
const progressLogInterval = 5 * time.Second
