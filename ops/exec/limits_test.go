package exec

import (
	"context"
	"os"
	"runtime"
	"testing"

	"smswork/ops"
)

// TestExecutor_RunOutputMemory checks that a program writing far more
// than MaxOutput costs smswork a bounded amount of memory: the output is
// kept up to the limit and the rest read through a fixed buffer.
func TestExecutor_RunOutputMemory(t *testing.T) {
	if _, err := os.Stat("/bin/sh"); err != nil || runtime.GOOS == "windows" {
		t.Skip("needs a POSIX sh (not on Windows, nor under Wine)")
	}
	e, _ := exNew(t)
	const total = 64 << 20
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	op := &ops.Op{Kind: ops.KindRun, Argv: []string{"sh", "-c", "head -c 67108864 /dev/zero; head -c 67108864 /dev/zero >&2"}}
	res := e.Execute(context.Background(), op, &ops.Intent{}, nil)
	runtime.ReadMemStats(&after)
	exWant(t, res, ops.Done)
	if len(res.Stdout) != DefaultMaxOutput || len(res.Stderr) != DefaultMaxOutput || !res.Truncated {
		t.Errorf("kept %d and %d bytes, truncated %v; want %d each", len(res.Stdout), len(res.Stderr), res.Truncated, DefaultMaxOutput)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > total/8 {
		t.Errorf("allocated %d bytes for %d bytes of output", alloc, 2*total)
	}
}
