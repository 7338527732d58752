package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// manDir is where the manual pages are committed (and packaged from).
var manDir = filepath.Join("..", "..", "dist", "man")

// genManPages writes a page per command of the command tree into dir,
// from the same definitions as --help: smswork.1, smswork-run.1, ...
// The completion commands cobra adds at run time are included.
func genManPages(dir string) error {
	root, _ := newRoot(io.Discard, io.Discard)
	root.InitDefaultCompletionCmd()
	var noAutoGenTag func(*cobra.Command)
	noAutoGenTag = func(c *cobra.Command) {
		c.DisableAutoGenTag = true // a footer with today's date
		for _, sub := range c.Commands() {
			noAutoGenTag(sub)
		}
	}
	noAutoGenTag(root)
	header := &doc.GenManHeader{Title: "SMSWORK", Section: "1", Source: "smswork", Manual: "smswork manual"}
	if err := doc.GenManTree(root, header, dir); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		p := filepath.Join(dir, e.Name())
		page, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if err := os.WriteFile(p, tidyMan(page, time.Now()), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// thDate is the date of a page's .TH line, which staleness ignores.
var thDate = regexp.MustCompile(`(?m)^(\.TH "[^"]*" "[^"]*" )"[^"]*"`)

// optionPara is how cobra lays out an option: a paragraph (none for the
// first), the option,
// then its text after a tab, which man(7) does not expect in filled text.
var optionPara = regexp.MustCompile(`(?m)^(?:\.PP\n)?(\\fB.*)\n\t(.*)$`)

// tidyMan makes cobra's page one that mandoc -T lint accepts: a tagged
// paragraph (.TP) per option, and the date (the day the pages were made;
// comparisons ignore it) as YYYY-MM-DD, where cobra writes "Jan 2006".
func tidyMan(page []byte, date time.Time) []byte {
	page = thDate.ReplaceAll(page, []byte(`$1"`+date.Format(time.DateOnly)+`"`))
	return optionPara.ReplaceAll(page, []byte(".TP\n$1\n$2"))
}

func withoutDate(page []byte) []byte { return thDate.ReplaceAll(page, []byte(`$1""`)) }

// TestManPages fails when dist/man is not what the command definitions
// give: regenerate with
//
//	UPDATE_GOLDEN=1 go test ./cmd/smswork -run '^TestManPages$'
//
// which rewrites only the pages that changed (the others keep their date).
func TestManPages(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the pages are Linux's: defaults such as --ini differ on Windows")
	}
	fresh := t.TempDir()
	if err := genManPages(fresh); err != nil {
		t.Fatal(err)
	}
	want := pages(t, fresh)
	if len(want) < 10 || !slices.Contains(slices.Collect(mapKeys(want)), "smswork-run.1") {
		t.Fatalf("generated only %d pages", len(want))
	}
	update := os.Getenv("UPDATE_GOLDEN") == "1"
	if update {
		if err := os.MkdirAll(manDir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	have := pages(t, manDir)
	for name, page := range want {
		if old, ok := have[name]; ok && bytes.Equal(withoutDate(old), withoutDate(page)) {
			continue
		}
		if !update {
			t.Errorf("dist/man/%s is stale or missing (UPDATE_GOLDEN=1 go test ./cmd/smswork -run '^TestManPages$')", name)
			continue
		}
		if err := os.WriteFile(filepath.Join(manDir, name), page, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for name := range have {
		if _, ok := want[name]; ok {
			continue
		}
		if !update {
			t.Errorf("dist/man/%s is no command's page any more", name)
			continue
		}
		if err := os.Remove(filepath.Join(manDir, name)); err != nil {
			t.Fatal(err)
		}
	}
}

// TestManPages_DetectsStale shows the comparison at work: a changed
// option's text is stale, a changed date is not.
func TestManPages_DetectsStale(t *testing.T) {
	dir := t.TempDir()
	if err := genManPages(dir); err != nil {
		t.Fatal(err)
	}
	page := pages(t, dir)["smswork-run.1"]
	if !bytes.Contains(page, []byte("on-error")) || !thDate.Match(page) {
		t.Fatalf("smswork-run.1 has no --on-error or no dated .TH line:\n%s", page)
	}
	redated := thDate.ReplaceAll(page, []byte(`$1"Jan 1999"`))
	if bytes.Equal(redated, page) || !bytes.Equal(withoutDate(redated), withoutDate(page)) {
		t.Fatal("a page that differs only by its date must count as fresh")
	}
	changed := bytes.Replace(page, []byte("on-error"), []byte("on-failure"), 1)
	if bytes.Equal(withoutDate(changed), withoutDate(page)) {
		t.Fatal("a changed option must make the page stale")
	}
}

// pages reads the *.1 files of dir.
func pages(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	entries, err := os.ReadDir(dir)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".1") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		out[e.Name()] = data
	}
	return out
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
