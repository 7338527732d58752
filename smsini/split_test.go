package smsini

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestSplit_Table(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"empty", "", nil},
		{"blanks only", "  \t ", nil},
		{"one", "del c:\\x", []string{`del c:\x`}},
		{"two", "a,b", []string{"a", "b"}},
		{"blanks trimmed", "  a  ,\tb\t", []string{"a", "b"}},
		{"empty entries dropped", "a,,b,", []string{"a", "b"}},
		{"only commas", ",,, ,", nil},
		{"quoted comma", `copy "c:\a,b.txt" c:\x, del "c:\a,b.txt"`, []string{`copy "c:\a,b.txt" c:\x`, `del "c:\a,b.txt"`}},
		{"quoted spaces kept", `copy "c:\my files\a" c:\b`, []string{`copy "c:\my files\a" c:\b`}},
		{"semicolon is data", "run a.exe ;x, del y", []string{"run a.exe ;x", "del y"}},
		{"hash equals colon", "a=b:c#d", []string{"a=b:c#d"}},
		{"touch", `copy c:\a.txt+,,`, []string{`copy c:\a.txt+,,`}},
		{"touch upper case", `COPY c:\a.txt+,,`, []string{`COPY c:\a.txt+,,`}},
		{"touch then more", `copy c:\a+,,, del c:\b`, []string{`copy c:\a+,,`, `del c:\b`}},
		{"touch quoted", `copy "c:\a b,c"+,,,x`, []string{`copy "c:\a b,c"+,,`, "x"}},
		{"touch blanks", "  copy \t a+,,  ", []string{"copy \t a+,,"}},
		{"not touch two tokens", `copy a+ b+,,c`, []string{"copy a+ b+", "c"}},
		{"not touch no plus", `copy a,,b`, []string{"copy a", "b"}},
		{"not touch single comma", `copy a+, b`, []string{"copy a+", "b"}},
		{"not touch copyx", `copyx a+,,b`, []string{"copyx a+", "b"}},
		{"tab kept inside", "run a\tb", []string{"run a\tb"}},
		{"lines", "a,\r\nb ,\n c", []string{"a", "b", "c"}},
		{"latin1", "del c:\\caf\xe9.txt", []string{"del c:\\caf\xe9.txt"}},
		{"utf8", "del c:\\café.txt", []string{"del c:\\café.txt"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Split(tt.in)
			if err != nil {
				t.Fatalf("Split(%q): %v", tt.in, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("Split(%q) = %q, want %q", tt.in, got, tt.want)
			}
			again, err := Split(Join(got))
			if err != nil || !slices.Equal(again, got) {
				t.Fatalf("Split(Join(%q)) = %q, %v", got, again, err)
			}
		})
	}
}

func TestSplit_Errors(t *testing.T) {
	tests := []struct {
		name      string
		in        string
		line, col int
		want      error
	}{
		{"unterminated quote", `a, copy "c:\x y`, 1, 9, ErrUnterminatedQuote},
		{"quote across lines", "copy \"a,\nb\"", 1, 6, ErrUnterminatedQuote},
		{"nul", "a\x00b", 1, 2, ErrControlChar},
		{"bom", "del c:\\a\xef\xbb\xbfb", 1, 9, ErrMisplacedBOM},
		{"escape", "a, b\x1b", 1, 5, ErrControlChar},
		{"del byte", "a\x7f", 1, 2, ErrControlChar},
		{"cr inside", "a\rb", 1, 2, ErrLineBreak},
		{"second line", "a,\nb\x01", 2, 2, ErrControlChar},
		{"entry too long", "a, " + strings.Repeat("x", MaxEntryLen+1), 1, 4, ErrEntryTooLong},
		{"too many", strings.Repeat("a,", MaxEntries) + "b", 1, 2*MaxEntries + 1, ErrTooManyEntries},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Split(tt.in)
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Split: err = %v, want *SyntaxError", err)
			}
			if !errors.Is(err, tt.want) || se.Line != tt.line || se.Col != tt.col {
				t.Fatalf("Split: %v (line %d col %d), want %v at %d:%d", err, se.Line, se.Col, tt.want, tt.line, tt.col)
			}
		})
	}
}

func TestJoin_Valid(t *testing.T) {
	tests := []struct {
		name    string
		entries []string
		want    string
	}{
		{"none", nil, ""},
		{"one", []string{"a"}, "a"},
		{"plus then next", []string{"copy a+", "b"}, "copy a+, b"},
		{"touch then next", []string{"copy a+,,", "b"}, "copy a+,,, b"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Join(tt.entries); got != tt.want {
				t.Fatalf("Join = %q, want %q", got, tt.want)
			}
			got, err := Split(tt.want)
			if err != nil || !slices.Equal(got, tt.entries) {
				t.Fatalf("Split(%q) = %q, %v", tt.want, got, err)
			}
		})
	}
}

func TestValidEntry_Table(t *testing.T) {
	tests := []struct {
		entry string
		ok    bool
	}{
		{"del a", true},
		{`copy "a,b" c`, true},
		{"copy a+,,", true},
		{"", false},
		{" del a", false},
		{"a,b", false},
		{`copy "a`, false},
		{"a\nb", false},
		{"a\x00", false},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			err := validEntry(tt.entry)
			if (err == nil) != tt.ok {
				t.Fatalf("validEntry(%q) = %v, want ok=%v", tt.entry, err, tt.ok)
			}
		})
	}
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{
		"", "a", "a,b", "a,,b,", `copy "a,b" c`, "copy a+,,", "copy a+,,, b", "copy a+,,b+,,",
		"copy a+ b+,,c", `"`, "a\x00", "a,\r\nb", "\xe9,\xff", "COPY\t\"x y\"+,,,,",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Split(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.Line < 1 || se.Col < 1 {
				t.Fatalf("Split(%q): bad error %v", s, err)
			}
			return
		}
		for _, e := range got {
			if err := validEntry(e); err != nil {
				t.Fatalf("Split(%q) gave entry %q that is not valid: %v", s, e, err)
			}
		}
		again, err := Split(Join(got))
		if err != nil || !slices.Equal(again, got) {
			t.Fatalf("Split(%q) = %q; Split(Join) = %q, %v", s, got, again, err)
		}
	})
}

// TestSplit_TouchForms: every written form of DOS's touch stays one entry.
func TestSplit_TouchForms(t *testing.T) {
	tests := []struct {
		value string
		want  []string
	}{
		{`copy c:\x+,,`, []string{`copy c:\x+,,`}},
		{`copy /b c:\x+,,, del c:\y`, []string{`copy /b c:\x+,,`, `del c:\y`}},
		{`copy c:\x +,,,del c:\y`, []string{`copy c:\x +,,`, `del c:\y`}},
		{`COPY /B "c:\a b"+,,`, []string{`COPY /B "c:\a b"+,,`}},
		{`copy c:\a c:\b+,,`, []string{`copy c:\a c:\b+`}},
		{`copy +,,`, []string{`copy +`}},
	}
	for _, tt := range tests {
		got, err := Split(tt.value)
		if err != nil || strings.Join(got, "|") != strings.Join(tt.want, "|") {
			t.Errorf("Split(%q) = %q, %v; want %q", tt.value, got, err, tt.want)
		}
	}
}
