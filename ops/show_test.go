package ops

import (
	"strings"
	"testing"
)

func TestShow(t *testing.T) {
	long := `md c:\` + strings.Repeat(`a\`, 100)
	for _, tc := range []struct{ in, want string }{
		{`c:\temp\x.dll`, `"c:\temp\x.dll"`},
		{`copy "c:\my files\a" c:\b`, `"copy "c:\my files\a" c:\b"`},
		{"tab\there", "\"tab\\there\""},
		{"nul\x00bell\a", `"nul\x00bell\a"`},
		{"latin1 \xe9t\xe9", `"latin1 \xe9t\xe9"`},
		{"été ü", `"été ü"`},
		{"", `""`},
		{long, `"` + long[:ShowMax] + `…" (206 bytes)`},
		{strings.Repeat("a", ShowMax-1) + "é" + strings.Repeat("b", 10), `"` + strings.Repeat("a", ShowMax-1) + `…" (131 bytes)`},
	} {
		if got := Show(tc.in); got != tc.want {
			t.Errorf("Show(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
