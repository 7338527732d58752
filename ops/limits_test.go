package ops

import (
	"context"
	"errors"
	"os"
	"runtime"
	"strings"
	"testing"
)

// TestParse_PathLimits checks MaxPathDepth, MaxNameLen and MaxPathLen:
// a path at each limit parses, one past it is ErrPathTooLong.
func TestParse_PathLimits(t *testing.T) {
	deep := func(n int) string { return `c:` + strings.Repeat(`\a`, n) }
	for _, tc := range []struct {
		name  string
		entry string
		ok    bool
	}{
		{"depth at the limit", "md " + deep(MaxPathDepth), true},
		{"too deep", "md " + deep(MaxPathDepth+1), false},
		{"too deep once cleaned is what counts", "md " + deep(MaxPathDepth) + `\b\..`, true},
		{"very deep", "md " + deep(10000), false},
		{"too deep program", deep(MaxPathDepth+1) + `\x.exe`, false},
		{"name at the limit", `del c:\` + strings.Repeat("n", MaxNameLen), true},
		{"name too long", `del c:\` + strings.Repeat("n", MaxNameLen+1), false},
		{"native name too long", `del /` + strings.Repeat("n", MaxNameLen+1), false},
		{"path too long", `del c:\` + strings.Repeat(strings.Repeat("n", 200)+`\`, 21) + "x", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			op, err := Parse(tc.entry)
			if tc.ok {
				if err != nil {
					t.Fatalf("Parse: %v", err)
				}
				if _, err := Parse(op.Canonical()); err != nil {
					t.Errorf("canonical form refused: %v", err)
				}
				return
			}
			var pe *ParseError
			if !errors.Is(err, ErrPathTooLong) || !errors.As(err, &pe) || pe.Col < 1 {
				t.Fatalf("Parse = %v, want ErrPathTooLong", err)
			}
		})
	}
}

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
	op := &Op{Kind: KindRun, Argv: []string{"sh", "-c", "head -c 67108864 /dev/zero; head -c 67108864 /dev/zero >&2"}}
	res := e.Execute(context.Background(), op, &Intent{}, nil)
	runtime.ReadMemStats(&after)
	exWant(t, res, Done)
	if len(res.Stdout) != DefaultMaxOutput || len(res.Stderr) != DefaultMaxOutput || !res.Truncated {
		t.Errorf("kept %d and %d bytes, truncated %v; want %d each", len(res.Stdout), len(res.Stderr), res.Truncated, DefaultMaxOutput)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > total/8 {
		t.Errorf("allocated %d bytes for %d bytes of output", alloc, 2*total)
	}
}
