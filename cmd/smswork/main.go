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
	"syscall"

	"smswork/journal"
	"smswork/recovery"
	"smswork/smsini"
)

// Exit statuses, documented in the help text and the README.
const (
	exitOK      = 0  // nothing left to do
	exitFailed  = 1  // an operation failed and the queue stopped
	exitUsage   = 2  // bad usage or input; nothing changed
	exitHeld    = 3  // an interrupted operation is held for a decision
	exitLocked  = 75 // another instance holds the journal
	exitUnknown = 1
)

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
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
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

// exitCode maps an error to the exit status of DESIGN.md section 6; this is
// the one place that does.
func exitCode(err error) int {
	var ee *exitError
	var se *smsini.SyntaxError
	var ue *recovery.UndoError
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue):
		return exitFailed // an undo step failed; the next start tries it again
	case errors.Is(err, journal.ErrLocked):
		return exitLocked
	case errors.Is(err, journal.ErrDamaged):
		return exitUsage // nothing was run on it; smswork journal salvage
	case errors.Is(err, recovery.ErrBadInput), errors.As(err, &se):
		return exitUsage
	case errors.Is(err, errUsage):
		return exitUsage
	default:
		return exitUnknown
	}
}
