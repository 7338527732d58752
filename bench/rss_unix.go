//go:build unix

package main

import (
	"os"
	"syscall"
)

// peakRSS is the peak resident memory of an ended process, in bytes.
func peakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return int64(ru.Maxrss) * 1024
	}
	return 0
}
