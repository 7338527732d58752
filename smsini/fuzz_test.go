package smsini

import (
	"bytes"
	"errors"
	"slices"
	"testing"
)

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", kbExample, "\xef\xbb\xbf[SMS Work]\nPendingWork=a\n", "[sms work]\r\n pendingwork = a , b \r\n[x]\r\n",
		"[SMS Work]\nPendingWork=a,\n\nb", "[SMS Work]\nPendingWork=a,\n[x]\nb", "[SMS Work]\nPendingWork=copy a+,,\nX=1",
		"PendingWork=a\n", "[SMS Work]\nPendingWork=\"a\n", "[SMS Work]\nPendingWork=a\x00\n", "\xff\xfe[\x00",
		"[SMS Work]\nPendingWork=caf\xe9, \"x, y\"\n; c\n# d\n", "[Other]\nA=1", "[SMS Work]", "[SMS Work]\r\nPendingWork=a,\r\nb,\nc\r",
		"[SMS Work]\nPendingWork=a\r\rb\n", "\r\n\r\n[SMS Work]\n\tPendingWork\t=\t,,,\t\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		p, err := Parse("fuzz.ini", in)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line < 1 || se.Col < 1 || se.Err == nil {
				t.Fatalf("Parse(%q): bad error %v", in, err)
			}
			return
		}
		texts := p.Texts()
		for _, e := range p.Entries {
			if e.Line < 1 || e.Col < 1 {
				t.Fatalf("entry %+v has no position", e)
			}
			if err := validEntry(e.Text); err != nil {
				t.Fatalf("Parse(%q) gave invalid entry %q: %v", in, e.Text, err)
			}
		}
		for _, list := range [][]string{texts, dropFirst(texts), append(slices.Clone(texts), "del c:\\fuzz")} {
			out := p.Render(list)
			q, err := Parse("fuzz.ini", out)
			if errors.Is(err, ErrLineTooLong) || errors.Is(err, ErrTooLarge) {
				continue // joining continuation lines made one line too long
			}
			if err != nil {
				t.Fatalf("Parse(Render(%q)) of %q: %v\nfrom %q", list, out, err, in)
			}
			if got := q.Texts(); !slices.Equal(got, list) {
				t.Fatalf("Parse(Render(%q)) = %q\nfile %q\nfrom %q", list, got, out, in)
			}
			checkOutside(t, p, in, out)
			if again := q.Render(list); !bytes.Equal(again, out) {
				t.Fatalf("Render not idempotent: %q then %q", out, again)
			}
		}
	})
}

func dropFirst(s []string) []string {
	if len(s) == 0 {
		return []string{}
	}
	return s[1:]
}
