package smsini

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"pgregory.net/rapid"
)

// Generators of INI text. Words hold no blank, comma, double quote, '[' or
// control byte; they do hold INI punctuation and non-UTF-8 bytes.
var (
	genWord = rapid.Custom(func(t *rapid.T) string {
		parts := rapid.SliceOfN(rapid.SampledFrom([]string{
			"a", "Z", "9", `c:\temp`, `\`, ":", ".", "=", ";", "#", "+", "/y", "-", "dll", "\xe9", "\xff", "é", "x=1",
		}), 1, 4).Draw(t, "word")
		return strings.Join(parts, "")
	})
	genBlanks = rapid.SampledFrom([]string{"", " ", "  ", "\t", " \t "})
	genEOL    = rapid.SampledFrom([]string{"\n", "\r\n"})
	// genEntry draws a valid entry: it Splits back to itself.
	genEntry = rapid.Custom(func(t *rapid.T) string {
		switch rapid.IntRange(0, 3).Draw(t, "kind") {
		case 0:
			return "copy " + genWord.Draw(t, "file") + "+,,"
		case 1:
			return "copy \"" + genWord.Draw(t, "a") + ", " + genWord.Draw(t, "b") + "\" " + genWord.Draw(t, "dst")
		}
		words := rapid.SliceOfN(genWord, 1, 4).Draw(t, "words")
		return rapid.SampledFrom([]string{"del", "copy", "run", "md"}).Draw(t, "cmd") + " " + strings.Join(words, genBlanksNonEmpty.Draw(t, "sep"))
	})
	genBlanksNonEmpty = rapid.SampledFrom([]string{" ", "  ", "\t"})
	genSectionName    = rapid.SampledFrom([]string{"SMS Work", "sms work", "SMS WORK", " SMS Work ", "SMS", "Inventory", "Other stuff", "x"})
	genKeyName        = rapid.SampledFrom([]string{"Status", "PendingWorks", "Pending", "Site", "a b", "pendingwork", "PendingWork", "PENDINGWORK"})
)

// genValue draws a PendingWork value as people write it: separators with
// odd spacing, empty entries, continuation lines.
func genValue(t *rapid.T) string {
	var b strings.Builder
	for i, e := range rapid.SliceOfN(genEntry, 0, 5).Draw(t, "entries") {
		if i > 0 {
			b.WriteString(rapid.SampledFrom([]string{",", ", ", " , ", ",,", ",\t"}).Draw(t, "sep"))
			if rapid.IntRange(0, 3).Draw(t, "continue") == 0 {
				b.WriteString(genEOL.Draw(t, "ceol") + genBlanks.Draw(t, "lead"))
			}
		}
		b.WriteString(e)
	}
	if rapid.IntRange(0, 4).Draw(t, "trailing comma") == 0 {
		b.WriteString(",")
	}
	return b.String()
}

// genLine draws one line without its ending; inSection says a PendingWork
// key may be drawn.
func genLine(t *rapid.T, inSection bool) string {
	switch rapid.IntRange(0, 5).Draw(t, "line kind") {
	case 0:
		return genBlanks.Draw(t, "blank")
	case 1:
		return genBlanks.Draw(t, "lead") + rapid.SampledFrom([]string{";", "#"}).Draw(t, "comment") + genWord.Draw(t, "text")
	case 2:
		return genBlanks.Draw(t, "lead") + genWord.Draw(t, "junk")
	case 3:
		if inSection {
			return genBlanks.Draw(t, "lead") + rapid.SampledFrom([]string{"PendingWork", "pendingwork"}).Draw(t, "key") +
				genBlanks.Draw(t, "pre") + "=" + genBlanks.Draw(t, "post") + genValue(t) + genBlanks.Draw(t, "trail")
		}
	}
	key := genKeyName.Draw(t, "key")
	if !inSection && strings.EqualFold(key, KeyName) {
		key = "Other"
	}
	return genBlanks.Draw(t, "lead") + key + genBlanks.Draw(t, "pre") + "=" + genBlanks.Draw(t, "post") + genWord.Draw(t, "value")
}

// genFile draws a whole INI file that Parse accepts.
var genFile = rapid.Custom(func(t *rapid.T) []byte {
	var b bytes.Buffer
	if rapid.Bool().Draw(t, "bom") {
		b.Write(bom)
	}
	crlf := rapid.Bool().Draw(t, "crlf")
	eol := func() string {
		if rapid.IntRange(0, 5).Draw(t, "mixed") == 0 {
			return genEOL.Draw(t, "eol")
		}
		if crlf {
			return "\r\n"
		}
		return "\n"
	}
	for range rapid.IntRange(0, 3).Draw(t, "preamble") {
		b.WriteString(genLine(t, false) + eol())
	}
	for range rapid.IntRange(0, 4).Draw(t, "sections") {
		b.WriteString(genBlanks.Draw(t, "lead") + "[" + genSectionName.Draw(t, "section") + "]" +
			rapid.SampledFrom([]string{"", " ; c", "x"}).Draw(t, "after") + eol())
		for range rapid.IntRange(0, 4).Draw(t, "lines") {
			b.WriteString(genLine(t, true) + eol())
		}
	}
	if n := b.Len(); n > 0 && rapid.Bool().Draw(t, "no final eol") {
		out := bytes.TrimSuffix(b.Bytes(), []byte("\n"))
		return bytes.TrimSuffix(out, []byte("\r"))
	}
	return b.Bytes()
})

func TestRender_Property(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genFile.Draw(t, "file")
		f, err := Parse("SMS.INI", in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		for _, e := range f.Texts() {
			if err := validEntry(e); err != nil {
				t.Fatalf("parsed entry %q is not valid: %v", e, err)
			}
		}
		list := rapid.SliceOfN(genEntry, 0, 6).Draw(t, "new entries")
		for _, e := range list {
			if err := validEntry(e); err != nil {
				t.Fatalf("generated entry %q is not valid: %v", e, err)
			}
		}
		out := f.Render(list)
		g, err := Parse("SMS.INI", out)
		if err != nil {
			t.Fatalf("Parse(Render(%q)) of %q: %v", list, out, err)
		}
		if got := g.Texts(); !slices.Equal(got, append([]string{}, list...)) {
			t.Fatalf("Parse(Render(%q)) = %q\nfile %q", list, got, out)
		}
		checkOutside(t, f, in, out)
		if f.hasKey && len(list) > 0 && g.valStart != f.valStart {
			t.Fatalf("value moved from %d to %d", f.valStart, g.valStart)
		}
		if again := g.Render(list); !bytes.Equal(again, out) {
			t.Fatalf("Render not idempotent:\n%q\n%q", out, again)
		}
		same, err := Parse("SMS.INI", f.Render(f.Texts()))
		if err != nil || !slices.Equal(same.Texts(), f.Texts()) {
			t.Fatalf("Render of its own entries changed them: %q, %v", same.Texts(), err)
		}
	})
}
