//go:build windows

package main

import (
	"fmt"

	"golang.org/x/sys/windows/svc/eventlog"
)

// eventSource is the Application log's source smswork writes as.
const eventSource = "smswork"

// eventReboot is the event ID of a run that needs a reboot (exit 3010).
const eventReboot = 301

// reportEvent writes a Windows Event Log entry (Application log, source
// smswork) for a run that failed or needs a reboot: at boot nobody reads
// standard error, and the Event Log is where an admin looks. A run that
// ended with nothing left writes none. The source is registered the first
// time (with EventCreate.exe's messages, so the text shows); a source
// that cannot be registered (not an administrator) still writes, and an
// entry that cannot be written is returned, for a warning.
func reportEvent(code int, result string) error {
	if code == exitOK {
		return nil
	}
	// Already registered, or not allowed: either way the entry is written.
	_ = eventlog.InstallAsEventCreate(eventSource, eventlog.Error|eventlog.Warning|eventlog.Info)
	l, err := eventlog.Open(eventSource)
	if err != nil {
		return fmt.Errorf("event log: %w", err)
	}
	defer l.Close()
	msg := fmt.Sprintf("smswork run: exit status %d: %s", code, result)
	// EventCreate's message file takes event IDs 1 to 1000: the exit
	// status, and 301 for 3010.
	switch code {
	case exitReboot:
		err = l.Warning(eventReboot, msg)
	case exitHeld:
		err = l.Warning(uint32(code), msg)
	default:
		err = l.Error(uint32(min(max(code, 1), 1000)), msg)
	}
	if err != nil {
		return fmt.Errorf("event log: %w", err)
	}
	return nil
}
