//go:build !windows

package main

// reportEvent writes nothing: the Windows Event Log is Windows'. The
// journal (and systemd's journal, for the boot unit's output) keep the
// run's record elsewhere.
func reportEvent(int, string) error { return nil }
