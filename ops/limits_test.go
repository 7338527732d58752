package ops

import (
	"errors"
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
