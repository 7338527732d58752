package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/mattn/go-isatty"
	"github.com/rs/zerolog"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"smswork/internal/config"
	"smswork/internal/fsroot"
	"smswork/journal"
	"smswork/ops"
	"smswork/ops/exec"
)

// errUsage marks bad command-line usage (exit status 2).
var errUsage = errors.New("usage")

// globalFlags are the flags every command takes.
type globalFlags struct {
	config, ini, journal, backups string
	drives                        []string
	logFormat, logFile            string
}

// globalOptions are the flags every command takes, and the settings they
// resolve to with the configuration file.
type globalOptions struct {
	// flags are the global flags as given; set holds what they resolve
	// to, and is what commands read.
	flags globalFlags
	// metricsFile is --metrics-file: node_exporter textfile metrics
	// written after every run (metrics.go).
	metricsFile string
	// logLevel is the least level logged (info unless the demo quiets it).
	logLevel zerolog.Level
	stdout   io.Writer
	stderr   io.Writer
	// env reads the environment (os.Getenv); goos is runtime.GOOS.
	env  config.Env
	goos string

	// set is the effective settings: defaults, the configuration file,
	// then flags (resolveSettings).
	set *config.Settings
	// explicit lists the global flags given on the command line that
	// locate the journal and map drives, for the commands status and plan
	// suggest.
	explicit []string

	// log is the logger once built; logOut is --log-file, open for
	// appending, closed by closeLog.
	log    *zerolog.Logger
	logOut *os.File
}

func rootLong() string {
	return `smswork executes the PendingWork queue of SMS.INI's [SMS Work] section, the
way SMSWORK.EXE did at boot (KB139086), but crash-safely: every entry is parsed
into a typed operation (copy, del, move, md, rd, run) before anything runs, and
journaled in a bbolt file with an intent marker before it touches anything and
a commit marker after, so a power loss at any instant resumes correctly. SMS.INI
keeps listing exactly what remains.

At boot it runs as 'smswork run' from a systemd oneshot unit
(dist/systemd/smswork.service) or a Windows scheduled task at system start
(see the README). Every command reads the configuration file (` + "`" + `smswork
config` + "`" + ` prints the effective settings and where each came from):
/etc/smswork/smswork.conf, or C:\ProgramData\smswork\smswork.conf on
Windows, or the file --config or $SMSWORK_CONFIG names; flags override it.
Logs go to standard error: readable on a terminal, JSON lines otherwise;
--log-file also appends them to a file. Shell completion: 'smswork
completion bash|zsh|fish|powershell --help'.

` + exitCodeHelp()
}

// newRoot builds the command tree and returns its global options, whose
// closeLog the caller runs once the command is done.
func newRoot(stdout, stderr io.Writer) (*cobra.Command, *globalOptions) {
	g := &globalOptions{stdout: stdout, stderr: stderr, logLevel: zerolog.InfoLevel, env: os.Getenv, goos: runtime.GOOS}
	cmd := &cobra.Command{
		Use:   "smswork",
		Short: "Crash-safe executor of SMS.INI's PendingWork queue",
		Long:  rootLong(),
		Example: `  smswork demo
  smswork --ini /mnt/image/c/SMS.INI --drive C=/mnt/image/c plan
  smswork --drive C=/mnt/image/c add 'copy c:\temp\netapi.dll c:\windows\system\netapi.dll /y'
  smswork --drive C=/mnt/image/c run
  smswork config
  smswork completion bash > /etc/bash_completion.d/smswork`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       buildVersion(),
		// A command that does not exist is a usage error (exit 2).
		Args: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return fmt.Errorf("%w: unknown command %q (see %s --help)", errUsage, args[0], c.CommandPath())
			}
			return nil
		},
		RunE: func(c *cobra.Command, _ []string) error { return c.Help() },
		PersistentPreRunE: func(c *cobra.Command, _ []string) error {
			if skipsSettings(c) {
				return nil
			}
			return g.resolveSettings(c)
		},
	}
	cmd.SetOut(stdout)
	cmd.SetErr(stderr)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return fmt.Errorf("%w: %v (see %s --help)", errUsage, err, c.CommandPath())
	})
	f := cmd.PersistentFlags()
	f.StringVar(&g.flags.config, "config", "", "the configuration file (default: $SMSWORK_CONFIG, else "+config.DefaultConfigPath(runtime.GOOS, os.Getenv)+")")
	f.StringVar(&g.flags.ini, "ini", "", "path of SMS.INI (default: "+config.DefaultIni(runtime.GOOS, os.Getenv)+")")
	f.StringVar(&g.flags.journal, "journal", "", "path of the journal (default: smswork.journal beside SMS.INI)")
	f.StringVar(&g.flags.backups, "backups", "", "the backup folder, for undo (default: the journal's path + .backups)")
	f.StringArrayVar(&g.flags.drives, "drive", nil, "map a DOS drive to a folder, L=DIR (repeatable; adds to the configuration file's [drives])")
	f.StringVar(&g.flags.logFormat, "log-format", "", "console or json (default: console on a terminal, json otherwise)")
	f.StringVar(&g.flags.logFile, "log-file", "", "also append the log, as JSON lines, to this file (created 0640)")
	f.StringVar(&g.metricsFile, "metrics-file", "", "after every run, replace this file with node_exporter textfile metrics (e.g. /var/lib/prometheus/node-exporter/smswork.prom)")
	cmd.AddCommand(
		newRunCommand(g),
		newPlanCommand(g),
		newAddCommand(g),
		newStatusCommand(g),
		newResolveCommand(g),
		newUndoCommand(g),
		newHistoryCommand(g),
		newVerifyCommand(g),
		newConfigCommand(g),
		newJournalCommand(g),
		newDemoCommand(g),
	)
	registerCompletions(cmd, g)
	strictArgs(cmd)
	return cmd, g
}

// strictArgs makes every argument error of cmd and its subcommands a
// usage error (exit status 2), as flag errors are.
func strictArgs(cmd *cobra.Command) {
	for _, c := range cmd.Commands() {
		strictArgs(c)
	}
	if cmd.Args == nil {
		return
	}
	check := cmd.Args
	cmd.Args = func(c *cobra.Command, args []string) error {
		if err := check(c, args); err != nil {
			if errors.Is(err, errUsage) {
				return err
			}
			return fmt.Errorf("%w: %v (see %s --help)", errUsage, err, c.CommandPath())
		}
		return nil
	}
}

// skipsSettings says c needs no configuration: help and shell completion
// work whatever the configuration file says.
func skipsSettings(c *cobra.Command) bool {
	for ; c != nil; c = c.Parent() {
		switch c.Name() {
		case "help", "completion", cobra.ShellCompRequestCmd, cobra.ShellCompNoDescRequestCmd:
			return true
		}
	}
	return false
}

// resolveSettings reads the configuration file and resolves every setting:
// its default, the file's value, then a flag given on the command line.
func (g *globalOptions) resolveSettings(c *cobra.Command) error {
	if g.set != nil {
		return nil
	}
	path, src, required := g.configPath(c)
	file, err := config.Load(path, required)
	if err != nil {
		return err
	}
	var flags []config.Flag
	c.Flags().Visit(func(f *pflag.Flag) {
		fl := config.Flag{Name: f.Name, Values: []string{f.Value.String()}}
		if sv, ok := f.Value.(pflag.SliceValue); ok {
			fl.Values = sv.GetSlice()
		}
		flags = append(flags, fl)
		switch f.Name {
		case "config", "ini", "journal", "backups", "drive":
			for _, v := range fl.Values {
				g.explicit = append(g.explicit, "--"+f.Name, shellQuote(v))
			}
		}
	})
	set, err := config.Resolve(file, flags, config.Options{GOOS: g.goos, Env: g.env})
	if err != nil {
		return err
	}
	set.ConfigSource = src
	g.set = set
	return nil
}

// configPath is the configuration file to read: --config, else
// $SMSWORK_CONFIG, else the default (which may be missing).
func (g *globalOptions) configPath(c *cobra.Command) (path string, src config.Source, required bool) {
	if f := c.Flags().Lookup("config"); f != nil && f.Changed {
		return g.flags.config, config.Source{Kind: config.FromFlag, Name: "config"}, true
	}
	if p := g.env("SMSWORK_CONFIG"); p != "" {
		return p, config.Source{Kind: config.FromEnv, Name: "SMSWORK_CONFIG"}, true
	}
	return config.DefaultConfigPath(g.goos, g.env), config.Source{Kind: config.FromDefault}, false
}

// shellQuote quotes s for a shell command line when it needs it.
func shellQuote(s string) string {
	if s != "" && !strings.ContainsAny(s, " \t\n'\"\\$`;&|<>()*?[]#~!{}") {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// command returns the smswork command line that runs args with the same
// journal: args, then the flags that located it (for the commands status
// and plan suggest).
func (g *globalOptions) command(args ...string) string {
	return strings.Join(append(append([]string{"smswork"}, args...), g.explicit...), " ")
}

// iniPath is SMS.INI's path.
func (g *globalOptions) iniPath() string { return g.set.Ini }

// journalPath is the journal's path: --journal, the file's journal, or
// smswork.journal beside SMS.INI.
func (g *globalOptions) journalPath() string { return g.set.Journal }

// backupDir is the backup folder: --backups, the file's, or the
// journal's path + ".backups".
func (g *globalOptions) backupDir() string { return g.set.Backups }

// openDrives opens the drive mappings of the configuration file and the
// --drive flags; a folder that is not there is bad input, named with
// where its mapping came from.
func (g *globalOptions) openDrives() (*fsroot.Drives, error) {
	m := map[string]string{}
	for _, d := range g.set.Drives {
		letter, dir, err := fsroot.ParseDriveFlag(d.Letter + "=" + d.Dir)
		if err != nil {
			return nil, usageErr("%s: drive %s=%s: %v", d.Source, d.Letter, d.Dir, errors.Unwrap(err))
		}
		m[letter] = dir
	}
	return fsroot.NewDrives(m)
}

// openJournal opens the journal for writing, or read-only.
func (g *globalOptions) openJournal(readOnly bool) (*journal.Journal, error) {
	host, _ := os.Hostname()
	return journal.Open(g.journalPath(), journal.Options{ReadOnly: readOnly, Host: host, Version: buildVersion(), Parse: ops.Parse})
}

// logger builds the zerolog logger once: console on a terminal, JSON lines
// otherwise, or as --log-format says; with --log-file, every event is
// also appended to that file as a JSON line (opened O_APPEND, so several
// runs and other writers interleave whole lines).
func (g *globalOptions) logger() (zerolog.Logger, error) {
	if g.log != nil {
		return *g.log, nil
	}
	format := g.set.LogFormat
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
		return zerolog.Nop(), usageErr("log-format %q: want console or json", format)
	}
	if logFile := g.set.LogFile; logFile != "" {
		f, err := os.OpenFile(logFile, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o640)
		if err != nil {
			return zerolog.Nop(), usageErr("log-file (%s): %v", g.set.SourceOf("log-file"), err)
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
		return fmt.Errorf("close log file %s: %w", g.set.LogFile, err)
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
func (g *globalOptions) progress(log zerolog.Logger) exec.ProgressFunc {
	if g.stderrIsTerminal() {
		return NewProgressBar(g.stderr, nil)
	}
	return NewProgressLog(log, progressLogInterval, nil)
}

// progressLogInterval is how often a long copy logs its progress when
// there is no terminal to draw a bar on.
const progressLogInterval = 5 * time.Second
