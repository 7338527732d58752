// Command smswork executes the PendingWork queue of SMS.INI at boot, crash
// safely: every operation is journaled with an intent marker before it
// touches anything and a commit marker after, so a power loss at any
// instant resumes correctly. Run `smswork --help` for the commands.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"strings"
	"syscall"

	"smswork/internal/config"
	"smswork/journal"
	"smswork/recovery"
	"smswork/smsini"
)

// Exit statuses: the one place they are defined. exitCodes lists them for
// --help and the README (a test checks both list every one).
const (
	exitOK      = 0  // nothing left to do
	exitFailed  = 1  // an operation failed in this run (status: the last attempt of one failed)
	exitUsage   = 2  // bad usage or input; nothing changed
	exitHeld    = 3  // an operation is held for a decision
	exitWaiting = 4  // status and plan: work waits for the next run
	exitLocked  = 75 // another instance holds the journal
	// exitReboot is Windows' ERROR_SUCCESS_REBOOT_REQUIRED, which
	// installers return and SCCM, Intune and Chocolatey understand.
	exitReboot  = 3010 // run: the rest waits for the reboot (files in use handed to Session Manager)
	exitUnknown = 1
)

// exitCode is one documented exit status.
type exitCodeDoc struct {
	code int
	doc  string
}

// exitCodes documents every exit status, in order.
func exitCodes() []exitCodeDoc {
	return []exitCodeDoc{
		{exitOK, "nothing left to do (status: nothing failed, held or waiting)"},
		{exitFailed, "an operation failed (run: in this run, whether the queue stopped or went on; status: its last attempt failed, it stays queued)"},
		{exitUsage, "bad usage or input (flags, configuration file, SMS.INI, a wrong path), or a damaged journal (smswork journal salvage); nothing changed"},
		{exitHeld, "an operation is held for a decision (smswork resolve)"},
		{exitWaiting, "status and plan: work waits for the next run (queued, interrupted, not yet taken in)"},
		{exitLocked, "another smswork holds the journal (status, history and plan answer from the run's status file)"},
		{exitReboot, "run: nothing failed, but work waits for the reboot: files in use were handed to Session Manager (ERROR_SUCCESS_REBOOT_REQUIRED, as installers say it); the next start confirms them"},
	}
}

// exitCodeHelp lists exitCodes for --help.
func exitCodeHelp() string {
	var b strings.Builder
	b.WriteString("Exit status:")
	for _, c := range exitCodes() {
		fmt.Fprintf(&b, "\n  %-3s %s", strconv.Itoa(c.code), c.doc)
	}
	return b.String()
}

// exitError carries an exit status up to main.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func usageErr(format string, a ...any) error {
	return &exitError{code: exitUsage, err: fmt.Errorf(format, a...)}
}

func main() {
	tuneGC(os.Getenv)
	ctx, stop := signalContext(context.Background())
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// The garbage collector's settings for a run, unless GOGC or GOMEMLIMIT
// say otherwise: a drain's live heap is small (a few MiB: one operation
// at a time, the queue's entries read as they come), so the default GOGC
// of 100 collects every few MiB allocated, a dozen times a second in a
// drain of small operations (a tenth of its CPU in the collector and its
// pauses; the bench's small copies ran 8% faster at 400). gcPercent
// collects less often; gcMemoryLimit, a soft limit, makes it collect
// sooner again should the heap grow (a queue of 100,000 entries, a
// history export), so that peak memory stays bounded.
const (
	gcPercent     = 400
	gcMemoryLimit = 48 << 20
)

// tuneGC applies gcPercent and gcMemoryLimit where getenv (os.Getenv)
// leaves them to the program.
func tuneGC(getenv func(string) string) {
	if getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(gcMemoryLimit)
	}
}

// signalError is the cause of a context ended by a signal: a run stopped by
// SIGTERM (systemctl stop, a shutdown) or SIGINT says so.
type signalError struct{ sig os.Signal }

func (e *signalError) Error() string {
	switch e.sig {
	case syscall.SIGTERM:
		return "stopped by SIGTERM (systemctl stop, or the system shutting down)"
	case os.Interrupt:
		return "stopped by SIGINT (Ctrl-C)"
	}
	return "stopped by signal " + e.sig.String()
}

// signalContext returns a context that ends, with a *signalError as its
// cause, at the first SIGINT or SIGTERM; stop releases the signals.
func signalContext(parent context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(parent)
	ch := make(chan os.Signal, 1)
	signal.Notify(ch, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		select {
		case s := <-ch:
			cancel(&signalError{sig: s})
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(ch)
		close(done)
		cancel(nil)
	}
}

// run is main without the process: tests call it directly.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmd, g := newRoot(stdout, stderr)
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(ctx)
	if cerr := g.closeLog(); err == nil {
		err = cerr
	}
	if err == nil {
		return exitOK
	}
	fmt.Fprintf(stderr, "smswork: %v\n", err)
	if errors.Is(err, journal.ErrDamaged) {
		fmt.Fprint(stderr, damageAdvice(err))
	}
	return exitCode(err)
}

// exitCode maps an error to the exit status of docs/CONTRACT.md section 6; this is
// the one place that does.
func exitCode(err error) int {
	var ee *exitError
	var se *smsini.SyntaxError
	var ue *recovery.UndoError
	var ur *recovery.UndoRefused
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		return exitFailed // an undo step failed; the next start tries it again
	case errors.As(err, &ur):
		return exitUsage // refused, nothing changed
	case errors.Is(err, journal.ErrLocked):
		return exitLocked
	case errors.Is(err, journal.ErrDamaged):
		return exitUsage // nothing was run on it; smswork journal salvage
	case errors.Is(err, recovery.ErrBadInput), errors.As(err, &se), errors.Is(err, smsini.ErrNotAFile),
		errors.Is(err, config.ErrBad), errors.Is(err, errUsage):
		return exitUsage
	default:
		return exitUnknown
	}
}
