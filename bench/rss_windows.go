//go:build windows

package main

import "os"

// peakRSS is not measured on Windows (the suite runs on Linux).
func peakRSS(*os.ProcessState) int64 { return 0 }
