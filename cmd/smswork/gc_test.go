package main

import (
	"math"
	"runtime/debug"
	"testing"
)

// TestTuneGC: the run's collector settings apply unless the environment
// sets its own (GOGC, GOMEMLIMIT), which then stay.
func TestTuneGC(t *testing.T) {
	oldPercent, oldLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	defer func() { debug.SetGCPercent(oldPercent); debug.SetMemoryLimit(oldLimit) }()
	for _, tc := range []struct {
		env                    map[string]string
		wantPercent, wantLimit int64
	}{
		{nil, gcPercent, gcMemoryLimit},
		{map[string]string{"GOGC": "100"}, 100, gcMemoryLimit},
		{map[string]string{"GOMEMLIMIT": "1GiB"}, gcPercent, math.MaxInt64},
	} {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
		tuneGC(func(k string) string { return tc.env[k] })
		if p, l := int64(debug.SetGCPercent(100)), debug.SetMemoryLimit(-1); p != tc.wantPercent || l != tc.wantLimit {
			t.Errorf("env %v: GOGC %d, limit %d; want %d, %d", tc.env, p, l, tc.wantPercent, tc.wantLimit)
		}
	}
}
