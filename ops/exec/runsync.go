package exec

import (
	"errors"
	"fmt"
	"time"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// syncRunEffects makes what a run operation's program wrote durable before
// the operation is committed: a program writes without syncing (nearly
// every installer and script does), and a power cut after the commit
// marker would otherwise lose its effects while the journal says it is
// done, so it is never run again. It syncs the file systems of every
// mapped drive and of e.SyncDirs (fsroot.SyncFileSystems: syncfs on Linux,
// FlushFileBuffers of the volume on Windows); with neither, every file
// system. It runs whatever the program's exit status: a failed program's
// partial effects are recorded as they are, too.
//
// A sync that fails makes a program that succeeded fail (its effects may
// not be on disk), except that a volume Windows does not let this user
// flush (ErrCannotFlush: not an administrator, say) is logged as a
// warning and the run goes on: the boot task runs as SYSTEM, which may.
func (e *Executor) syncRunEffects(op *ops.Op, res *ops.Result) {
	dirs := e.runSyncDirs()
	sync := e.syncFileSystems
	if sync == nil {
		sync = fsroot.SyncFileSystems
	}
	start := time.Now()
	err := sync(dirs)
	e.Log.Debug().Strs("folders", dirs).Dur("took", time.Since(start)).Err(err).Msg("run: file systems synced")
	switch {
	case err == nil:
	case errors.Is(err, fsroot.ErrCannotFlush):
		e.Log.Warn().Err(err).Str("program", op.Argv[0]).
			Msg("run: what the program wrote may not survive a power cut (volumes not flushed)")
	case res.Outcome == ops.Done:
		setFailed(res, fmt.Errorf("%s: exit status 0, but what it wrote could not be made durable: %w", op.Argv[0], err))
	default:
		e.Log.Warn().Err(err).Str("program", op.Argv[0]).Msg("run: what the failed program wrote could not be made durable")
	}
}

// runSyncDirs lists the mapped drives' folders (in drive order), then
// e.SyncDirs.
func (e *Executor) runSyncDirs() []string {
	var dirs []string
	if e.Drives != nil {
		dirs = e.Drives.Folders()
	}
	return append(dirs, e.SyncDirs...)
}
