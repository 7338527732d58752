package smsini

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// goldenNew is the entry every golden case appends after dropping its first
// entry, as a run that executed one entry while `add` queued one would.
const goldenNew = `del c:\golden.tmp`

// TestRender_Golden parses testdata/<case>/input.ini, compares its entries
// with entries.txt ("line:col<TAB>text" per entry) and the file rendered
// with the first entry dropped and goldenNew appended with rendered.ini.
// UPDATE_GOLDEN=1 rewrites entries.txt and rendered.ini.
func TestRender_Golden(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "*", "input.ini"))
	if err != nil {
		t.Fatal(err)
	}
	if len(dirs) == 0 {
		t.Fatal("no golden cases")
	}
	update := os.Getenv("UPDATE_GOLDEN") == "1"
	for _, in := range dirs {
		dir := filepath.Dir(in)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			input, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse(in, input)
			if err != nil {
				t.Fatal(err)
			}
			var list bytes.Buffer
			for _, e := range f.Entries {
				fmt.Fprintf(&list, "%d:%d\t%s\n", e.Line, e.Col, e.Text)
			}
			entries := f.Texts()
			if len(entries) > 0 {
				entries = entries[1:]
			}
			entries = append(entries, goldenNew)
			rendered := f.Render(entries)
			checkOutside(t, f, input, rendered)
			compareGolden(t, filepath.Join(dir, "entries.txt"), list.Bytes(), update)
			compareGolden(t, filepath.Join(dir, "rendered.ini"), rendered, update)
		})
	}
}

func compareGolden(t *testing.T, path string, got []byte, update bool) {
	t.Helper()
	if update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("%s differs:\n got %q\nwant %q", path, got, want)
	}
}

// fatalHelper is what checkOutside needs of *testing.T and *rapid.T.
type fatalHelper interface {
	Helper()
	Fatalf(format string, args ...any)
}

// checkOutside fails unless out equals in outside f's value span (or, when
// f has no key, holds all of in around the inserted lines).
func checkOutside(t fatalHelper, f *File, in, out []byte) {
	t.Helper()
	var pre, suf int
	switch {
	case f.hasKey:
		pre, suf = f.valStart, len(in)-f.valEnd
	case f.hasSection:
		pre, suf = f.afterHeader, len(in)-f.afterHeader
		if !f.headerEOL {
			pre, suf = len(in), 0
		}
	default:
		pre, suf = len(in), 0
	}
	if !bytes.Equal(out[:pre], in[:pre]) {
		t.Fatalf("bytes before the value changed:\n in %q\nout %q", in[:pre], out[:pre])
	}
	if !bytes.Equal(out[len(out)-suf:], in[len(in)-suf:]) {
		t.Fatalf("bytes after the value changed:\n in %q\nout %q", in[len(in)-suf:], out[len(out)-suf:])
	}
}
