package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"smswork/backup"
	"smswork/internal/config"
	"smswork/internal/failpoint"
	"smswork/internal/pendmove"
	"smswork/internal/perms"
	"smswork/journal"
	"smswork/ops"
	"smswork/ops/exec"
	"smswork/recovery"
)

type runOptions struct {
	interrupted string
	maxAttempts int
	onError     string
	opTimeout   time.Duration
	deadline    time.Duration
	// insecurePermissions runs even when SMS.INI or the journal can be
	// changed by others (internal/perms). THIS IS UNSAFE.
	insecurePermissions bool
	// atomic makes every batch that starts all-or-nothing; onRollback is
	// what becomes of one rolled back.
	atomic     bool
	onRollback string
	// keepBackups is the retention setting of the backup folder.
	keepBackups string
	// inUse is what becomes of a file in use: reboot (handed to Session
	// Manager) or fail; onReboot what follows an operation waiting for
	// the reboot: stop or continue.
	inUse, onReboot string
	// deadlineSource says where the deadline came from, for messages.
	deadlineSource config.Source
}

// settingsRunOptions are run's options as the settings give them (the
// configuration file and the defaults of internal/config), for commands
// that start the way run does (undo, the demo).
func settingsRunOptions(g *globalOptions) *runOptions {
	o := &runOptions{}
	o.fromSettings(g)
	return o
}

// fromSettings fills o from the effective settings: the flags of the
// command line are in them already, over the configuration file.
func (o *runOptions) fromSettings(g *globalOptions) {
	s := g.set
	o.interrupted, o.maxAttempts, o.onError = s.Interrupted, s.MaxAttempts, s.OnError
	o.opTimeout, o.deadline = s.OpTimeout, s.Deadline
	o.atomic, o.onRollback, o.keepBackups = s.Atomic, s.OnRollback, s.Value("run.keep-backups")
	o.deadlineSource = s.SourceOf("run.deadline")
	o.inUse, o.onReboot = s.InUse, s.OnReboot
}

// addRunFlags declares run's flags (config takes them too); their
// defaults are internal/config's, and the configuration file's [run]
// section overrides those.
func addRunFlags(cmd *cobra.Command, o *runOptions) {
	f := cmd.Flags()
	f.StringVar(&o.interrupted, "interrupted", config.Interrupted, "what to do with an interrupted run operation: rerun or hold")
	f.IntVar(&o.maxAttempts, "max-attempts", config.MaxAttempts, "hold an operation interrupted this many times")
	f.StringVar(&o.onError, "on-error", config.OnError, "after a failed operation: stop the queue, or continue")
	f.DurationVar(&o.opTimeout, "op-timeout", config.OpTimeout, "time limit of each run operation")
	f.DurationVar(&o.deadline, "deadline", config.Deadline, "bound the whole run; what is not reached stays queued (0: none)")
	f.BoolVar(&o.atomic, "atomic", false, "make every batch that starts all-or-nothing: a failure undoes what the batch did")
	f.StringVar(&o.onRollback, "on-rollback", config.OnRollback, "after a rollback (--atomic): keep the batch queued, or drop it")
	f.StringVar(&o.inUse, "in-use", config.InUse(runtime.GOOS), "a file in use: reboot hands it to Session Manager for the next boot (the default on Windows); fail stops the queue there (the default elsewhere)")
	f.StringVar(&o.onReboot, "on-reboot", config.OnReboot, "after an operation waits for the reboot: stop the queue, or continue with entries that touch none of its paths")
	f.StringVar(&o.keepBackups, "keep-backups", config.KeepBackups, "bytes of backups finished batches keep for undo (e.g. 500MiB, 0; -1: no bound)")
}

func newRunCommand(g *globalOptions) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run",
		Short: "Recover, take in PendingWork, and execute it in order",
		Long: `run is the one start path. It opens the journal, finishes whatever a crash
interrupted, takes in the entries of PendingWork, then executes them left to
right: each one gets an intent marker in the journal before it touches anything
and a commit marker after, and SMS.INI is rewritten to list what remains.

A failed operation stops the queue: it and every later entry stay in
PendingWork for the next boot (--on-error=continue goes on instead). A run
operation found interrupted is run again (--interrupted=rerun) or held for
'smswork resolve' (--interrupted=hold); any operation interrupted
--max-attempts times is held, so a command that crashes the machine cannot
crash every boot.

Before a copy, move or del replaces or removes a file, its prior content is
kept in the backup folder (--backups; a hard link where the file system
allows, else a durable copy), named in the operation's intent marker, so
that a batch can be undone: --keep-backups bounds what finished batches
keep (the oldest lose theirs first, and can then no longer be undone).
--atomic makes every batch that starts all-or-nothing: when an operation
fails, what the batch did is undone in reverse order, then the batch stays
queued (--on-rollback=keep) or is dropped (--on-rollback=drop). A run
operation cannot be undone: a rollback stops at it. 'smswork add --atomic'
asks for this per batch.

--deadline bounds the whole run: what is not reached stays queued, a running
program is killed with every process it started, and run exits; the next
boot goes on from there. --op-timeout bounds each run operation. Every
operation logs "start" and "end" with its batch and position, the keys of
its audit record; a program's output is kept in the journal, never logged.
A long copy draws a progress bar on a terminal, or logs "copying" every few
seconds otherwise.

On Windows a copy or move onto a file held open by a running program (a
loaded DLL), or a del of one, is handed to Session Manager (--in-use=reboot,
the default there): the new bytes are staged beside the file, durable and
named in the journal with their SHA-256, and the rename (or delete) is
registered for the next boot with MoveFileEx(MOVEFILE_DELAY_UNTIL_REBOOT),
which performs it before services load. The file itself is not touched. The
operation then waits for the reboot, and the queue stops there
(--on-reboot=continue goes on with the entries that touch none of its paths;
a run entry still waits, since it may load the new file). The next start
confirms it (the file holds the staged bytes, the staged file is gone) and
commits it, the audit record saying how it was replaced; a pair that went
missing is registered again once, then the operation fails, the staged file
kept. --in-use=fail stops the queue at such a file instead, for the next boot
to try again.

run refuses to start (exit status 2) when SMS.INI, the journal, or the
folders that hold them can be changed by anyone but their owner and root, or
belong to another user: whoever can write them runs commands as root at
boot. --insecure-permissions runs anyway, with a warning.

Its last line counts what it did: "3 done, 1 failed, 0 held, 2 remaining".
While it runs, it keeps a status file beside the journal (JOURNAL.status)
from which 'smswork status', 'history' and 'plan' answer: the journal is the
run's until it ends.

Exit status: 0 nothing left, 1 an operation failed in this run (whether the
queue stopped or went on, or the run was stopped by its deadline or a
signal), 2 bad input (nothing executed), 3 an operation is held, 75 another
smswork holds the journal, 3010 nothing failed but work waits for the reboot
(ERROR_SUCCESS_REBOOT_REQUIRED, which SCCM, Intune and Chocolatey read as
"success, reboot needed"; Windows only).`,
		Example: `  smswork run                                # what the boot unit runs (settings from the configuration file)
  smswork --ini /mnt/c/SMS.INI --drive C=/mnt/c run
  smswork run --interrupted=hold --deadline 5m --log-file /var/log/smswork.log`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			o.fromSettings(g)
			return runRun(cmd.Context(), g, o, os.Getenv("SMSWORK_FAILPOINT"))
		},
	}
	addRunFlags(cmd, o)
	cmd.Flags().BoolVar(&o.insecurePermissions, "insecure-permissions", false, "run even if others can change SMS.INI, the journal or their folders (UNSAFE: they would run commands as this user)")
	return cmd
}

func runRun(ctx context.Context, g *globalOptions, o *runOptions, fpSpec string) (err error) {
	var sum *recovery.Summary
	defer g.afterRun(time.Now(), &sum, &err) // --metrics-file, after cleanup
	ini, err := g.statIni(true)
	if err != nil {
		return err
	}
	if ini.missing && ini.explicit && !g.journalExists() {
		return ini.wrongPath(g, true) // before a journal is created there
	}
	cfg, cleanup, err := g.recoveryConfig(o, fpSpec)
	if err != nil {
		return err
	}
	defer cleanup()
	if ini.missing {
		work, err := journalHasWork(cfg.Journal)
		if err != nil {
			return err
		}
		if err := ini.wrongPath(g, !work); err != nil {
			return err
		}
		fmt.Fprintln(g.stdout, ini.notice(!work))
	}
	if o.deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, o.deadline, fmt.Errorf("stopped at the run's deadline (%s)", settingText("deadline", o.deadline.String(), o.deadlineSource)))
		defer cancel()
	}
	sw := newStatusWriter(g.journalPath(), "run", cfg.Log)
	cfg.OnRecord = func(r *journal.Record) { printRecord(g.stdout, r) }
	cfg.OnProgress = sw.progress
	sum, err = recovery.Run(ctx, cfg)
	printSummary(g.stdout, sum, err)
	if err == nil {
		err = summaryError(sum)
	}
	result := ""
	if sum != nil {
		result = countsLine(sum)
	}
	if err != nil {
		result = err.Error()
	}
	sw.finish(sum, exitCodeOf(err), result)
	if eerr := reportEvent(exitCodeOf(err), result); eerr != nil {
		cfg.Log.Warn().Err(eerr).Msg("Windows Event Log entry not written")
	}
	return err
}

// exitCodeOf is the exit status err gives (0 for nil).
func exitCodeOf(err error) int {
	if err == nil {
		return exitOK
	}
	return exitCode(err)
}

// settingText names a setting and where it came from: "--deadline 2s",
// "deadline = 5m0s (/etc/smswork/smswork.conf:7)".
func settingText(name, value string, src config.Source) string {
	if src.Kind == config.FromFile {
		return fmt.Sprintf("%s = %s, %s", name, value, src)
	}
	return "--" + name + " " + value
}

// recoveryConfig opens what a run needs; cleanup closes it.
func (g *globalOptions) recoveryConfig(o *runOptions, fpSpec string) (recovery.Config, func(), error) {
	var cfg recovery.Config
	switch o.interrupted {
	case "rerun", "hold":
	default:
		return cfg, nil, usageErr("--interrupted %q: want rerun or hold", o.interrupted)
	}
	switch o.onError {
	case "stop", "continue":
	default:
		return cfg, nil, usageErr("--on-error %q: want stop or continue", o.onError)
	}
	switch o.onRollback {
	case "keep", "drop":
	default:
		return cfg, nil, usageErr("--on-rollback %q: want keep or drop", o.onRollback)
	}
	switch o.inUse {
	case "reboot", "fail":
	default:
		return cfg, nil, usageErr("--in-use %q: want reboot or fail", o.inUse)
	}
	switch o.onReboot {
	case "stop", "continue":
	default:
		return cfg, nil, usageErr("--on-reboot %q: want stop or continue", o.onReboot)
	}
	keep, err := config.ParseSize(o.keepBackups)
	if err != nil {
		return cfg, nil, usageErr("--keep-backups: %v", err)
	}
	fp, err := failpoint.Parse(fpSpec)
	if err != nil {
		return cfg, nil, usageErr("%v", err)
	}
	log, err := g.logger()
	if err != nil {
		return cfg, nil, err
	}
	if err := g.checkPermissions(o, log); err != nil {
		return cfg, nil, err
	}
	drives, err := g.openDrives()
	if err != nil {
		return cfg, nil, err
	}
	j, err := g.openJournal(false)
	if err != nil {
		_ = drives.Close()
		if errors.Is(err, journal.ErrLocked) {
			return cfg, nil, &exitError{code: exitLocked, err: fmt.Errorf("another smswork is running: %w", err)}
		}
		return cfg, nil, err
	}
	store, err := backup.Open(g.backupDir(), drives)
	if err != nil {
		_ = j.Close()
		_ = drives.Close()
		return cfg, nil, err
	}
	x := &exec.Executor{Drives: drives, OpTimeout: o.opTimeout, Log: log, Failpoint: fp, Progress: g.progress(log),
		SyncDirs: []string{filepath.Dir(g.journalPath())}}
	if o.inUse == "reboot" && runtime.GOOS == "windows" {
		x.Reboot = pendmove.System{}
	}
	cfg = recovery.Config{
		Ini: g.iniPath(), Journal: j, Exec: x,
		Interrupted:        recovery.InterruptedPolicy(o.interrupted),
		MaxAttempts:        o.maxAttempts,
		ContinueOnError:    o.onError == "continue",
		ContinuePastReboot: o.onReboot == "continue",
		Log:                log,
		Failpoint:          fp,
		Backups:            store,
		KeepBackups:        keep,
		Atomic:             o.atomic,
		OnRollback:         journal.RollbackChoice(o.onRollback),
	}
	return cfg, func() { _ = store.Close(); _ = j.Close(); _ = drives.Close() }, nil
}

// checkPermissions refuses (exit status 2) SMS.INI or a journal that
// someone other than their owner and root can change, or replace through
// their folders: they decide what runs as root at boot. With
// --insecure-permissions each problem is logged as a warning instead.
func (g *globalOptions) checkPermissions(o *runOptions, log zerolog.Logger) error {
	err := g.permissionProblems()
	if err == nil {
		return nil
	}
	if !errors.Is(err, perms.ErrInsecure) {
		return err
	}
	if o.insecurePermissions {
		for _, e := range unjoin(err) {
			log.Warn().Str("problem", e.Error()).Msg("insecure permissions ignored (--insecure-permissions)")
		}
		return nil
	}
	advice := perms.Advice(err, "make them writable by their owner only, owned by root or this user; or pass --insecure-permissions")
	return &exitError{code: exitUsage, err: fmt.Errorf("refusing to run: others could change what runs at boot:\n  %s\n(%s)",
		strings.ReplaceAll(err.Error(), "\n", "\n  "), advice)}
}

// permissionProblems checks SMS.INI, the journal and the configuration
// file (which says where they are and maps drives), and their folders:
// nil, or the problems joined (perms.ErrInsecure), or another error.
func (g *globalOptions) permissionProblems() error {
	targets := []perms.Target{{What: "SMS.INI", Path: g.iniPath()}, {What: "the journal", Path: g.journalPath()}}
	if g.set.ConfigFound {
		targets = append(targets, perms.Target{What: "the configuration file", Path: g.set.Config})
	}
	return perms.Check(targets...)
}

// unjoin returns the errors joined in err, or err alone.
func unjoin(err error) []error {
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		return j.Unwrap()
	}
	return []error{err}
}

// summaryError turns a run's summary into its exit status.
func summaryError(sum *recovery.Summary) error {
	switch {
	case len(sum.Held) > 0:
		return &exitError{code: exitHeld, err: fmt.Errorf("%d operation(s) held for a decision: see smswork status, then smswork resolve", len(sum.Held))}
	case sum.Failed != nil && rolledBack(sum, sum.Failed.Batch) != nil:
		u := rolledBack(sum, sum.Failed.Batch)
		return &exitError{code: exitFailed, err: fmt.Errorf("entry %d of atomic batch %d failed: %s; the batch was rolled back (%d undone) and %s; queue stopped",
			sum.Failed.Pos, sum.Failed.Batch, sum.Failed.Result.Err, u.Undone, fateOf(u))}
	case sum.Failed != nil:
		return &exitError{code: exitFailed, err: fmt.Errorf("entry %d of batch %d failed, queue stopped: %s", sum.Failed.Pos, sum.Failed.Batch, sum.Failed.Result.Err)}
	case len(sum.Bad) > 0:
		return &exitError{code: exitUsage, err: &recovery.InputError{Problems: sum.Bad}}
	case sum.Deadline:
		why := "stopped"
		if c := sum.Stopped(); c != nil {
			why = c.Error()
		}
		return &exitError{code: exitFailed, err: fmt.Errorf("%s: %d operation(s) left queued for the next run", why, sum.Remaining)}
	case sum.Outcomes[ops.Failed] > 0:
		return &exitError{code: exitFailed, err: fmt.Errorf("%d operation(s) failed; --on-error=continue went on past them (smswork history --outcome failed)", sum.Outcomes[ops.Failed])}
	case len(sum.RebootPending) > 0:
		return &exitError{code: exitReboot, err: fmt.Errorf("%s: files in use were handed to Session Manager; the next start confirms them and goes on (smswork status lists them)", rebootNeeded(len(sum.RebootPending)))}
	}
	return nil
}

// rebootNeeded is what run and status say of n operations that wait for
// the reboot.
func rebootNeeded(n int) string {
	return fmt.Sprintf("reboot needed to finish %d operation%s", n, plural(n, "", "s"))
}

// countsLine counts what a run did: "3 done, 1 failed, 0 held, 2 remaining".
func countsLine(sum *recovery.Summary) string {
	oc := sum.Outcomes
	s := fmt.Sprintf("%d done, %d failed, %d held, %d remaining", oc[ops.Done]+oc[ops.AlreadyDone], oc[ops.Failed], len(sum.Held), sum.Remaining)
	if n := len(sum.RebootPending); n > 0 {
		s += fmt.Sprintf(", %d waiting for the reboot", n)
	}
	for _, x := range []ops.Outcome{ops.Skipped, ops.Undone, ops.Dropped} {
		if oc[x] > 0 {
			s += fmt.Sprintf(", %d %s", oc[x], x)
		}
	}
	return s
}

// printRecord prints one line per committed operation, as it commits.
func printRecord(w io.Writer, r *journal.Record) {
	line := fmt.Sprintf("%-12s %s", r.Outcome, r.Raw)
	if r.Interrupted > 0 {
		line += "  (interrupted before, finished now)"
	}
	if r.Result.Err != "" {
		line += "  error: " + r.Result.Err
	}
	fmt.Fprintln(w, line)
}

// printSummary prints what the rollbacks and undos of a run did, then,
// when the run went to its end (err nil), the line that counts what it
// did: always its last line.
func printSummary(w io.Writer, sum *recovery.Summary, err error) {
	if sum == nil {
		return
	}
	for _, u := range sum.Undos {
		printUndo(w, u)
	}
	if err == nil {
		fmt.Fprintln(w, countsLine(sum))
	}
}

// rolledBack returns the rollback of batch id in sum, or nil.
func rolledBack(sum *recovery.Summary, id uint64) *recovery.RolledBack {
	for i := range sum.Undos {
		if u := &sum.Undos[i]; u.Batch == id && u.Mode == journal.UndoRollback {
			return u
		}
	}
	return nil
}

// fateOf says what became of a rolled-back batch.
func fateOf(u *recovery.RolledBack) string {
	s := "stays queued for the next run"
	if u.Choice == journal.RollbackDrop {
		s = "was dropped from the queue"
	}
	if u.Barrier != 0 {
		s += fmt.Sprintf(" (the rollback stopped at operation %d, which cannot be undone: it and those before it keep their effects)", u.Barrier)
	}
	return s
}

// printUndo prints what an undo or rollback did.
func printUndo(w io.Writer, u recovery.RolledBack) {
	if u.Mode == journal.UndoRollback {
		fmt.Fprintf(w, "batch %d rolled back: %d operation(s) undone; it %s\n", u.Batch, u.Undone, fateOf(&u))
		return
	}
	fmt.Fprintf(w, "batch %d undone: %d operation(s) undone", u.Batch, u.Undone)
	if u.Barrier != 0 {
		fmt.Fprintf(w, "; operation %d and those before it cannot be undone and keep their effects", u.Barrier)
	}
	fmt.Fprintln(w)
}
