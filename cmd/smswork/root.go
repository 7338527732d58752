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
	drives    []string
	logFormat string
	// logLevel is the least level logged (info unless the demo quiets it).
	logLevel zerolog.Level
	stdout   io.Writer
	stderr   io.Writer
}

const rootLong = `smswork executes the PendingWork queue of SMS.INI's [SMS Work] section, the
way SMSWORK.EXE did at boot (KB139086), but crash-safely: every entry is parsed
into a typed operation (copy, del, move, md, rd, run) before anything runs, and
journaled in a bbolt file with an intent marker before it touches anything and
a commit marker after, so a power loss at any instant resumes correctly. SMS.INI
keeps listing exactly what remains.

Exit status:
  0   nothing left to do
  1   an operation failed and the queue stopped (it stays in PendingWork)
  2   bad usage or input; nothing changed
  3   an interrupted operation is held for a decision (smswork resolve)
  75  another smswork holds the journal`

func newRootCommand(stdout, stderr io.Writer) *cobra.Command {
	g := &globalOptions{stdout: stdout, stderr: stderr, logLevel: zerolog.InfoLevel}
	cmd := &cobra.Command{
		Use:   "smswork",
		Short: "Crash-safe executor of SMS.INI's PendingWork queue",
		Long:  rootLong,
		Example: `  smswork demo
  smswork --ini /mnt/image/c/SMS.INI --drive C=/mnt/image/c plan
  smswork --drive C=/mnt/image/c add 'copy c:\temp\netapi.dll c:\windows\system\netapi.dll /y'
  smswork --drive C=/mnt/image/c run`,
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
	f.StringArrayVar(&g.drives, "drive", nil, "map a DOS drive to a folder, L=DIR (repeatable)")
	f.StringVar(&g.logFormat, "log-format", "", "console or json (default: console on a terminal, json otherwise)")
	cmd.AddCommand(
		newRunCommand(g),
		newPlanCommand(g),
		newAddCommand(g),
		newStatusCommand(g),
		newResolveCommand(g),
		newHistoryCommand(g),
		newVerifyCommand(g),
		newDemoCommand(g),
	)
	return cmd
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
	return journal.Open(g.journalPath(), journal.Options{ReadOnly: readOnly, Host: host, Version: version})
}

// logger builds the zerolog logger: console on a terminal, JSON lines
// otherwise, or as --log-format says.
func (g *globalOptions) logger() (zerolog.Logger, error) {
	format := g.logFormat
	if format == "" {
		format = "json"
		if f, ok := g.stderr.(*os.File); ok && isatty.IsTerminal(f.Fd()) {
			format = "console"
		}
	}
	switch strings.ToLower(format) {
	case "json":
		return zerolog.New(g.stderr).Level(g.logLevel).With().Timestamp().Logger(), nil
	case "console":
		return zerolog.New(zerolog.ConsoleWriter{Out: g.stderr, TimeFormat: time.TimeOnly}).Level(g.logLevel).With().Timestamp().Logger(), nil
	default:
		return zerolog.Nop(), usageErr("--log-format %q: want console or json", g.logFormat)
	}
}
