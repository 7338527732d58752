package smsini

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestRender_WrapsLongQueue: a 100,000-entry queue is written over
// continuation lines none of which nears MaxLineLen, and reads back whole.
func TestRender_WrapsLongQueue(t *testing.T) {
	for _, eol := range []string{"\n", "\r\n"} {
		f, err := Parse("SMS.INI", []byte("[SMS Work]"+eol+"PendingWork=x"+eol+"[After]"+eol+"k=v"+eol))
		if err != nil {
			t.Fatal(err)
		}
		entries := make([]string, 100000)
		for i := range entries {
			entries[i] = fmt.Sprintf(`copy c:\temp\f%d.dll c:\windows\system\f%d.dll /y`, i, i)
		}
		entries[500] = `copy c:\temp\touched+,,`
		path := filepath.Join(t.TempDir(), "SMS.INI")
		if err := Write(path, f, entries); err != nil {
			t.Fatal(err)
		}
		g, err := Read(path)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(g.Texts(), entries) {
			t.Fatalf("read back %d entries, want %d", len(g.Entries), len(entries))
		}
		out := f.Render(entries)
		for _, line := range strings.Split(string(out), "\n") {
			if len(line) > WrapAt+200 {
				t.Fatalf("line of %d bytes", len(line))
			}
		}
		if !strings.HasSuffix(string(out), eol+"[After]"+eol+"k=v"+eol) || strings.Count(string(out), "\r\n") != 0 && eol == "\n" {
			t.Fatalf("bytes after the value changed")
		}
	}
}
