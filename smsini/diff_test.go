package smsini

import (
	"bytes"
	"strings"
	"testing"

	"gopkg.in/ini.v1"
	"pgregory.net/rapid"
)

// iniOptions make gopkg.in/ini.v1 read INI the way Windows does, as far as
// it can: names case-insensitive, '=' the only delimiter, no inline
// comments, no backslash continuation, quotes kept as data.
var iniOptions = ini.LoadOptions{
	Insensitive:             true,
	KeyValueDelimiters:      "=",
	IgnoreInlineComment:     true,
	IgnoreContinuation:      true,
	PreserveSurroundedQuote: true,
	AllowShadows:            false,
	SkipUnrecognizableLines: false,
}

// genPlainValue draws a one-line value ini.v1 reads as data: no backtick,
// no leading triple quote, no trailing comma (which would continue).
var genPlainValue = rapid.Custom(func(t *rapid.T) string {
	var b strings.Builder
	for i, p := range rapid.SliceOfN(rapid.OneOf(genWord, rapid.SampledFrom([]string{
		",", ", ", " ", "\t", `"a b, c"`, "\xe9", ";x", "#y", "k=v", "copy a+,,",
	})), 0, 8).Draw(t, "parts") {
		if i == 0 {
			p = strings.TrimLeft(p, " \t,")
		}
		b.WriteString(p)
	}
	return strings.TrimRight(b.String(), " \t,")
})

// genPlainFile draws a file without continuation lines and with at most
// one [SMS Work] section holding at most one PendingWork key.
var genPlainFile = rapid.Custom(func(t *rapid.T) []byte {
	var b bytes.Buffer
	if rapid.Bool().Draw(t, "bom") {
		b.Write(bom)
	}
	eol := rapid.SampledFrom([]string{"\n", "\r\n"}).Draw(t, "eol")
	other := func() {
		for range rapid.IntRange(0, 3).Draw(t, "lines") {
			switch rapid.IntRange(0, 2).Draw(t, "kind") {
			case 0:
				b.WriteString(genBlanks.Draw(t, "blank") + eol)
			case 1:
				b.WriteString(genBlanks.Draw(t, "lead") + rapid.SampledFrom([]string{";", "#"}).Draw(t, "c") + genPlainValue.Draw(t, "text") + eol)
			default:
				key := rapid.SampledFrom([]string{"Status", "Site", "a b", "PendingWorks"}).Draw(t, "key")
				b.WriteString(genBlanks.Draw(t, "lead") + key + genBlanks.Draw(t, "pre") + "=" + genBlanks.Draw(t, "post") + genPlainValue.Draw(t, "value") + genBlanks.Draw(t, "trail") + eol)
			}
		}
	}
	other()
	work := rapid.IntRange(-1, 2).Draw(t, "work section at")
	for i := range 3 {
		name := rapid.SampledFrom([]string{"SMS", "Inventory", "Other stuff"}).Draw(t, "name")
		if i == work {
			name = rapid.SampledFrom([]string{"SMS Work", "sms work", "SMS WORK", "Sms Work"}).Draw(t, "work name")
		}
		b.WriteString(genBlanks.Draw(t, "lead") + "[" + name + "]" + eol)
		other()
		if i == work && rapid.IntRange(0, 4).Draw(t, "has key") > 0 {
			b.WriteString(genBlanks.Draw(t, "lead") + rapid.SampledFrom([]string{"PendingWork", "pendingwork", "PENDINGWORK"}).Draw(t, "key") +
				genBlanks.Draw(t, "pre") + "=" + genBlanks.Draw(t, "post") + genPlainValue.Draw(t, "pending") + genBlanks.Draw(t, "trail") + eol)
			other()
		}
	}
	return b.Bytes()
})

// TestParse_MatchesIniV1 is the differential test: on files without
// continuation lines, the hand-written reader and gopkg.in/ini.v1 agree on
// whether there is a PendingWork value and on what it is.
func TestParse_MatchesIniV1(t *testing.T) {
	rapid.Check(t, func(t *rapid.T) {
		in := genPlainFile.Draw(t, "file")
		f, err := Parse("SMS.INI", in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		cfg, err := ini.LoadSources(iniOptions, in)
		if err != nil {
			t.Fatalf("ini.v1 (%q): %v", in, err)
		}
		sec, serr := cfg.GetSection("sms work")
		if (serr == nil) != f.hasSection {
			t.Fatalf("section: ini.v1 %v, smsini %v", serr == nil, f.hasSection)
		}
		if serr != nil {
			return
		}
		if sec.HasKey("pendingwork") != f.hasKey {
			t.Fatalf("key: ini.v1 %v, smsini %v in %q", sec.HasKey("pendingwork"), f.hasKey, in)
		}
		if !f.hasKey {
			return
		}
		want := sec.Key("pendingwork").String()
		if got := string(in[f.valStart:f.valEnd]); got != want {
			t.Fatalf("value: smsini %q, ini.v1 %q in %q", got, want, in)
		}
		entries, err := Split(want)
		if err != nil {
			t.Fatalf("Split(%q): %v", want, err)
		}
		if got := f.Texts(); strings.Join(got, "\x00") != strings.Join(entries, "\x00") {
			t.Fatalf("entries: smsini %q, Split(ini.v1) %q", got, entries)
		}
	})
}
