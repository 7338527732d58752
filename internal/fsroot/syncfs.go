// Package fsroot holds the file-system primitives of smswork that make a
// change survive a power loss. This file: making every file system that
// holds a set of folders durable at once, for what a run operation's
// program wrote without syncing it (as nearly every installer and script
// does).
package fsroot

import "errors"

// ErrCannotFlush is returned (wrapped, naming the volume) by
// SyncFileSystems on Windows for a volume this process cannot flush: one
// it may not open for writing (FlushFileBuffers on a volume needs
// administrator rights, which the boot task, SYSTEM, has and an ordinary
// user does not), one that is not a local volume (a network share: its
// server decides), or one whose file system does not flush (Wine answers
// ERROR_INVALID_FUNCTION). The other volumes are still flushed; the
// caller decides whether to go on (a run operation logs a warning).
var ErrCannotFlush = errors.New("this process cannot flush the volume")

// SyncFileSystems makes everything written so far to the file systems
// holding dirs durable, and returns once it is: on Linux syncfs(2) of each
// distinct file system (by device), which waits for the data and reports
// write-back errors; on other Unix systems sync(2); on Windows
// FlushFileBuffers on each distinct volume. With no folder given, every
// file system is synced (sync(2); every fixed drive on Windows).
//
// It syncs every file system it can and returns the errors of the others
// joined, each naming its folder.
func SyncFileSystems(dirs []string) error { return syncFileSystems(dirs) }
