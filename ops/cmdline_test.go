package ops

import (
	"errors"
	"reflect"
	"testing"
)

func TestSplitCommandLine(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		// The examples of Microsoft's "Parsing C command-line arguments".
		{`"a b c" d e`, []string{"a b c", "d", "e"}},
		{`"ab\"c" "\\" d`, []string{`ab"c`, `\`, "d"}},
		{`a\\\b d"e f"g h`, []string{`a\\\b`, "de fg", "h"}},
		{`a\\\"b c d`, []string{`a\"b`, "c", "d"}},
		{`a\\\\"b c" d e`, []string{`a\\b c`, "d", "e"}},
		// `""` inside a quoted part (msvcrt 2008 and later).
		{`"a""b" c`, []string{`a"b`, "c"}},
		{`"a"" b"`, []string{`a" b`}},
		{`""`, []string{""}},
		{`a "" b`, []string{"a", "", "b"}},
		{`""""`, []string{`"`}},
		// Separators and trailing backslashes.
		{"  a\t\tb  ", []string{"a", "b"}},
		{`c:\dir\ x`, []string{`c:\dir\`, "x"}},
		{`"c:\dir\\" x`, []string{`c:\dir\`, "x"}},
		{``, nil},
		{`a,b`, []string{"a,b"}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := SplitCommandLine(tt.in)
			if err != nil {
				t.Fatalf("SplitCommandLine(%q): %v", tt.in, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("SplitCommandLine(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestSplitCommandLine_Unterminated(t *testing.T) {
	for _, tt := range []struct {
		in  string
		col int
	}{
		{`"abc`, 1},
		{`a "b c`, 3},
		{`a b"c d`, 3},
		{`"a""`, 1},
	} {
		t.Run(tt.in, func(t *testing.T) {
			_, err := SplitCommandLine(tt.in)
			var pe *ParseError
			if !errors.Is(err, ErrUnterminatedQuote) || !errors.As(err, &pe) || pe.Col != tt.col {
				t.Fatalf("SplitCommandLine(%q) error %v, want ErrUnterminatedQuote at column %d", tt.in, err, tt.col)
			}
		})
	}
}

func TestJoinCommandLine(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"a", "b"}, `a b`},
		{[]string{"a b", "c"}, `"a b" c`},
		{[]string{""}, `""`},
		{[]string{`c:\dir\`}, `c:\dir\`},
		{[]string{`c:\my dir\`}, `"c:\my dir\\"`},
		{[]string{`a"b`}, `"a""b"`},
		{[]string{`a\"b`}, `"a\\""b"`},
		{[]string{"a,b"}, `"a,b"`},
		{[]string{"a\tb"}, "\"a\tb\""},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := JoinCommandLine(tt.args); got != tt.want {
				t.Fatalf("JoinCommandLine(%q) = %s, want %s", tt.args, got, tt.want)
			}
			back, err := SplitCommandLine(tt.want)
			if err != nil || !reflect.DeepEqual(back, tt.args) {
				t.Fatalf("SplitCommandLine(%s) = %q, %v; want %q", tt.want, back, err, tt.args)
			}
		})
	}
}

func TestJoinCommandLine_RoundTrip(t *testing.T) {
	args := []string{``, `\`, `\\`, `"`, `\"`, `""`, `a b`, `a\ b\`, `a\\"b`, ` `, "\t", `,`, `"a, b"`, `\\server\x y\`}
	for _, a := range args {
		for _, b := range args {
			in := []string{a, b}
			line := JoinCommandLine(in)
			got, err := SplitCommandLine(line)
			if err != nil || !reflect.DeepEqual(got, in) {
				t.Errorf("SplitCommandLine(JoinCommandLine(%q)) = %q (%s), %v", in, got, line, err)
			}
			if unquotedIndex(line, ",") >= 0 {
				t.Errorf("JoinCommandLine(%q) = %s: comma outside quotes", in, line)
			}
		}
	}
}

func FuzzSplitCommandLine(f *testing.F) {
	for _, s := range []string{
		`"a b c" d e`, `"ab\"c" "\\" d`, `a\\\b d"e f"g h`, `a\\\"b c d`, `a\\\\"b c" d e`,
		`copy c:\temp\netapi.dll c:\windows\system\netapi.dll /y`,
		`del c:\temp\netapi.dll`,
		`"a""b" ""`, `a,b "c,d"`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		args, err := SplitCommandLine(s)
		if err != nil {
			if !errors.Is(err, ErrUnterminatedQuote) {
				t.Fatalf("SplitCommandLine(%q): %v", s, err)
			}
			return
		}
		line := JoinCommandLine(args)
		back, err := SplitCommandLine(line)
		if err != nil {
			t.Fatalf("SplitCommandLine(%q) = %q; JoinCommandLine = %s does not split: %v", s, args, line, err)
		}
		if len(args) == 0 && len(back) == 0 {
			return
		}
		if !reflect.DeepEqual(back, args) {
			t.Fatalf("SplitCommandLine(%q) = %q; JoinCommandLine = %s splits to %q", s, args, line, back)
		}
		if unquotedIndex(line, ",") >= 0 {
			t.Fatalf("JoinCommandLine(%q) = %s: comma outside quotes", args, line)
		}
		if line2 := JoinCommandLine(back); line2 != line {
			t.Fatalf("JoinCommandLine not stable: %s then %s", line, line2)
		}
	})
}
