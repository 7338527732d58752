package smsini

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// kbExample is the KB 139086 example, CRLF, the value continued on the
// next line exactly as the article prints it.
const kbExample = "[SMS Work]\r\nPendingWork=copy c:\\temp\\netapi.dll c:\\windows\\system\\netapi.dll /y,\r\ndel c:\\temp\\netapi.dll\r\n"

func TestParse_Table(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []Entry
	}{
		{"kb139086", kbExample, []Entry{
			{`copy c:\temp\netapi.dll c:\windows\system\netapi.dll /y`, 2, 13},
			{`del c:\temp\netapi.dll`, 3, 1},
		}},
		{"kb139086 indented as printed",
			"          [SMS Work]\r\n          PendingWork=copy c:\\temp\\netapi.dll c:\\windows\\system\\netapi.dll /y,\r\n          del c:\\temp\\netapi.dll\r\n",
			[]Entry{
				{`copy c:\temp\netapi.dll c:\windows\system\netapi.dll /y`, 2, 23},
				{`del c:\temp\netapi.dll`, 3, 11},
			}},
		{"empty file", "", nil},
		{"no section", "; nothing\r\n[Other]\r\nPendingWork=del x\r\n", nil},
		{"no key", "[SMS Work]\nOther=1\n", nil},
		{"empty value", "[SMS Work]\nPendingWork=\n", nil},
		{"case and spacing", "[ sms WORK ]\n  pendingwork \t=  a , b  \n", []Entry{{"a", 2, 19}, {"b", 2, 23}}},
		{"bom", "\xef\xbb\xbf[SMS Work]\nPendingWork=a\n", []Entry{{"a", 2, 13}}},
		{"bom col on line 1", "\xef\xbb\xbf[SMS Work]PendingWork=a", nil},
		{"comments", "; c\n# d\n[SMS Work]\n;PendingWork=x\n  # PendingWork=y\nPendingWork=a;b#c\n", []Entry{{"a;b#c", 6, 13}}},
		{"first section wins", "[SMS Work]\nX=1\n[SMS Work]\nPendingWork=b\n", nil},
		{"first key wins", "[SMS Work]\nPendingWork=a\nPendingWork=b\n", []Entry{{"a", 2, 13}}},
		{"other section key ignored", "[Other]\nPendingWork=x,\n[SMS Work]\nPendingWork=a\n", []Entry{{"a", 4, 13}}},
		{"no trailing newline", "[SMS Work]\r\nPendingWork=a,b", []Entry{{"a", 2, 13}, {"b", 2, 15}}},
		{"mixed endings", "[SMS Work]\r\nPendingWork=a,\nb,\r\nc\n", []Entry{{"a", 2, 13}, {"b", 3, 1}, {"c", 4, 1}}},
		{"continuation takes anything", "[SMS Work]\nPendingWork=a,\n  k=v: x\n", []Entry{{"a", 2, 13}, {"k=v: x", 3, 3}}},
		{"continuation takes comment-like", "[SMS Work]\nPendingWork=a,\n;b\n", []Entry{{"a", 2, 13}, {";b", 3, 1}}},
		{"continuation repeated", "[SMS Work]\nPendingWork=a,\nb ,  \nc\nd\n", []Entry{{"a", 2, 13}, {"b", 3, 1}, {"c", 4, 1}}},
		{"blank line ends value", "[SMS Work]\nPendingWork=a,\n\nb\n", []Entry{{"a", 2, 13}}},
		{"blanks line ends value", "[SMS Work]\nPendingWork=a,\n \t \nb\n", []Entry{{"a", 2, 13}}},
		{"header ends value", "[SMS Work]\nPendingWork=a,\n[X]\nb\n", []Entry{{"a", 2, 13}}},
		{"eof ends value", "[SMS Work]\nPendingWork=a,", []Entry{{"a", 2, 13}}},
		{"touch does not continue", "[SMS Work]\nPendingWork=copy a+,,\nX=1\n", []Entry{{"copy a+,,", 2, 13}}},
		{"line without equals ignored", "[SMS Work]\njunk\nPendingWork=a\n", []Entry{{"a", 3, 13}}},
		{"key before section is not PendingWork", "X=1\n[SMS Work]\nPendingWork=a\n", []Entry{{"a", 3, 13}}},
		{"latin1 value", "[SMS Work]\nPendingWork=del c:\\caf\xe9\n", []Entry{{"del c:\\caf\xe9", 2, 13}}},
		{"unclosed header", "[SMS Work\nPendingWork=a\n", []Entry{{"a", 2, 13}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("SMS.INI", []byte(tt.in))
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if !slices.Equal(f.Entries, tt.want) {
				t.Fatalf("Entries = %+v, want %+v", f.Entries, tt.want)
			}
		})
	}
}

func TestParse_Errors(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want string
		err  error
	}{
		{"outside section", []byte("; top\n  PendingWork=a\n[SMS Work]\n"), "SMS.INI:2:3: PendingWork is outside any section; put it under [SMS Work]", ErrOutsideSection},
		{"unterminated quote", []byte("[SMS Work]\r\nPendingWork=del \"c:\\a b\r\n"), "SMS.INI:2:17: unterminated double quote", ErrUnterminatedQuote},
		{"quote on continuation", []byte("[SMS Work]\nPendingWork=a,\n  del \"x\n"), "SMS.INI:3:7: unterminated double quote", ErrUnterminatedQuote},
		{"nul in value", []byte("[SMS Work]\nPendingWork=a\x00b\n"), "SMS.INI:2:14: NUL byte: binary data, not an INI file", ErrBinary},
		{"nul outside value", []byte("[Other]\nX=\x00\n[SMS Work]\nPendingWork=a\n"), "SMS.INI:2:3: NUL byte: binary data, not an INI file", ErrBinary},
		{"nul on line 1 after bom", []byte("\xef\xbb\xbfab\x00"), "SMS.INI:1:3: NUL byte: binary data, not an INI file", ErrBinary},
		{"bom inside", []byte("[A]\r\n\xef\xbb\xbf[SMS Work]\r\nPendingWork=a\r\n"), "SMS.INI:2:1: byte order mark (EF BB BF) inside the file, not at its start", ErrMisplacedBOM},
		{"bom twice", []byte("\xef\xbb\xbf\xef\xbb\xbf[SMS Work]"), "SMS.INI:1:1: byte order mark (EF BB BF) inside the file, not at its start", ErrMisplacedBOM},
		{"control in value", []byte("[SMS Work]\nPendingWork=a,\nb\x07\n"), "SMS.INI:3:2: control character 0x07 in PendingWork", ErrControlChar},
		{"utf16le bom", []byte("\xff\xfe[\x00S\x00"), "SMS.INI:1:1: UTF-16 is not supported, save as ANSI/UTF-8", ErrUTF16},
		{"utf16be bom", []byte("\xfe\xff\x00["), "SMS.INI:1:1: UTF-16 is not supported, save as ANSI/UTF-8", ErrUTF16},
		{"utf16 no bom", []byte("[\x00S\x00M\x00S\x00 \x00W\x00]\x00\r\x00\n\x00"), "SMS.INI:1:1: UTF-16 is not supported, save as ANSI/UTF-8", ErrUTF16},
		{"long line", []byte("[SMS Work]\n; " + strings.Repeat("x", MaxLineLen) + "\n"), "SMS.INI:2:1048577: line is 1048578 bytes, over the limit of 1048576", ErrLineTooLong},
		{"too large", make([]byte, MaxFileSize+1), "SMS.INI:1:1: file is 16777217 bytes, over the limit of 16777216", ErrTooLarge},
		{"entry too long", []byte("[SMS Work]\nPendingWork=a, " + strings.Repeat("x", MaxEntryLen+1) + "\n"), "SMS.INI:2:16: entry is 32769 bytes, over the limit of 32768", ErrEntryTooLong},
		{"too many entries", []byte("[SMS Work]\nPendingWork=" + strings.Repeat("a,\n", MaxEntries) + "b\n"), "SMS.INI:100002:1: more than 100000 entries", ErrTooManyEntries},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("SMS.INI", tt.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse: err = %v, want *SyntaxError", err)
			}
			if err.Error() != tt.want || !errors.Is(err, tt.err) {
				t.Fatalf("Parse: err = %q, want %q (%v)", err, tt.want, tt.err)
			}
		})
	}
}

func TestRead_Files(t *testing.T) {
	dir := t.TempDir()
	t.Run("missing", func(t *testing.T) {
		f, err := Read(filepath.Join(dir, "none.ini"))
		if err != nil || !f.Missing || len(f.Entries) != 0 {
			t.Fatalf("Read missing = %+v, %v", f, err)
		}
		want := "[SMS Work]\r\nPendingWork=a\r\n"
		if got := string(f.Render([]string{"a"})); got != want {
			t.Fatalf("Render = %q, want %q", got, want)
		}
	})
	t.Run("kb139086", func(t *testing.T) {
		p := filepath.Join(dir, "SMS.INI")
		if err := os.WriteFile(p, []byte(kbExample), 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := Read(p)
		if err != nil || f.Missing {
			t.Fatalf("Read = %+v, %v", f, err)
		}
		want := []string{`copy c:\temp\netapi.dll c:\windows\system\netapi.dll /y`, `del c:\temp\netapi.dll`}
		if !slices.Equal(f.Texts(), want) {
			t.Fatalf("Texts = %q", f.Texts())
		}
	})
	t.Run("too large is not read", func(t *testing.T) {
		p := filepath.Join(dir, "big.ini")
		fh, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		if err := fh.Truncate(MaxFileSize + 1); err != nil {
			t.Fatal(err)
		}
		if err := fh.Close(); err != nil {
			t.Fatal(err)
		}
		if _, err := Read(p); !errors.Is(err, ErrTooLarge) || !strings.HasPrefix(err.Error(), p+":1:1: ") {
			t.Fatalf("Read = %v, want ErrTooLarge", err)
		}
	})
	t.Run("malformed names file line col", func(t *testing.T) {
		p := filepath.Join(dir, "bad.ini")
		if err := os.WriteFile(p, []byte("[SMS Work]\r\nPendingWork=a, \"b\r\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Read(p)
		if err == nil || err.Error() != p+":2:16: unterminated double quote" {
			t.Fatalf("Read = %v", err)
		}
	})
	t.Run("folder", func(t *testing.T) {
		if _, err := Read(dir); err == nil {
			t.Fatal("Read of a folder succeeded")
		}
	})
}

func TestFile_Render(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		entries []string
		want    string
	}{
		{"kb drained one", kbExample, []string{`del c:\temp\netapi.dll`}, "[SMS Work]\r\nPendingWork=del c:\\temp\\netapi.dll\r\n"},
		{"emptied", kbExample, nil, "[SMS Work]\r\nPendingWork=\r\n"},
		{"spacing kept", "[SMS Work]\n PendingWork =  a  \n", []string{"x", "y"}, "[SMS Work]\n PendingWork =  x, y  \n"},
		{"empty value spacing", "[SMS Work]\nPendingWork = \n", []string{"x"}, "[SMS Work]\nPendingWork = x\n"},
		{"continued blank after", "[SMS Work]\nPendingWork=a,\nb,\n\nX=1", []string{"c"}, "[SMS Work]\nPendingWork=c\n\nX=1"},
		{"no section lf", "[Other]\nX=1", []string{"a"}, "[Other]\nX=1\n[SMS Work]\nPendingWork=a\n"},
		{"no section crlf", "[Other]\r\nX=1\r\n", []string{"a"}, "[Other]\r\nX=1\r\n[SMS Work]\r\nPendingWork=a\r\n"},
		{"no section no eol", "X=1", []string{"a"}, "X=1\n[SMS Work]\nPendingWork=a\n"},
		{"empty file", "", nil, "[SMS Work]\r\nPendingWork=\r\n"},
		{"bom only", "\xef\xbb\xbf", []string{"a"}, "\xef\xbb\xbf[SMS Work]\r\nPendingWork=a\r\n"},
		{"no key", "[SMS Work] ; q\r\nX=1\r\n", []string{"a"}, "[SMS Work] ; q\r\nPendingWork=a\r\nX=1\r\n"},
		{"no key header at eof", "[sms work]", []string{"a"}, "[sms work]\nPendingWork=a\n"},
		{"mixed endings majority", "A=1\nB=1\r\nC=1\n", nil, "A=1\nB=1\r\nC=1\n[SMS Work]\nPendingWork=\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("SMS.INI", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			got := f.Render(tt.entries)
			if string(got) != tt.want {
				t.Fatalf("Render = %q, want %q", got, tt.want)
			}
			g, err := Parse("SMS.INI", got)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(g.Texts(), append([]string{}, tt.entries...)) {
				t.Fatalf("re-parsed = %q, want %q", g.Texts(), tt.entries)
			}
			if again := g.Render(tt.entries); !bytes.Equal(again, got) {
				t.Fatalf("Render is not idempotent: %q", again)
			}
		})
	}
}

// TestParse_EntriesBeforeProblem: a problem inside the value carries the
// entries read before it, so that a caller reports them too.
func TestParse_EntriesBeforeProblem(t *testing.T) {
	_, err := Parse("SMS.INI", []byte("[SMS Work]\nPendingWork=del c:\\x /z,\n md c:\\y, copy \"c:\\a c:\\b\n"))
	var se *SyntaxError
	if !errors.As(err, &se) || !errors.Is(err, ErrUnterminatedQuote) {
		t.Fatalf("Parse = %v", err)
	}
	var got []string
	for _, e := range se.Entries {
		got = append(got, fmt.Sprintf("%d:%d %s", e.Line, e.Col, e.Text))
	}
	if want := []string{`2:13 del c:\x /z`, `3:2 md c:\y`}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("entries before the problem: %q, want %q", got, want)
	}
}
