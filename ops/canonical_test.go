package ops

import "testing"

func TestOp_Canonical(t *testing.T) {
	tests := []struct {
		entry string
		want  string
	}{
		{`copy c:\temp\netapi.dll c:\windows\system\netapi.dll /y`, `copy C:\temp\netapi.dll C:\windows\system\netapi.dll`},
		{`DEL c:\temp\netapi.dll`, `del C:\temp\netapi.dll`},
		{`copy /A /v /-Y c:/a D:/b/`, `copy C:\a /a D:\b\ /a /-y /v`},
		{`copy c:\a c:\b /a /b`, `copy C:\a C:\b /b`},
		{`copy c:\a c:\b /a`, `copy C:\a C:\b /a`},
		{`copy /b c:\a+c:\b c:\c /a`, `copy C:\a /b + C:\b /b C:\c /a`},
		{`copy c:\a + "c:\b c" /b`, `copy C:\a + "C:\b c" /b C:\a /b`},
		{`copy c:\x /usr/lib/`, `copy C:\x /usr/lib/`},
		{`copy "c:\a b" "c:\c,d"`, `copy "C:\a b" "C:\c,d"`},
		{`copy "c:\a+b" c:\x;y`, `copy "C:\a+b" "C:\x;y"`},
		{`copy c:\a.txt +,,`, `copy C:\a.txt+,,`},
		{`copy /b "c:\a b.txt"+,,`, `copy "C:\a b.txt"+,,`},
		{`erase /f /q c:\t\*.*`, `del C:\t\*.* /q /f`},
		{`rename c:\a\..\b d`, `ren C:\b d`},
		{`ren "c:\a b\x.txt" "y z.txt"`, `ren "C:\a b\x.txt" "y z.txt"`},
		{`ren c:\t\*.log *.bak`, `ren C:\t\*.log *.bak`},
		{`move c:\a c:\b\`, `move C:\a C:\b\`},
		{`mkdir c:\x\.\y`, `md C:\x\y`},
		{`rmdir /q /s /tmp/x`, `rd /tmp/x /s /q`},
		{`del "/y"`, `del "/y"`},
		{`del "/-y"`, `del "/-y"`},
		{`del "/?"`, `del "/?"`},
		{`del /usr/lib`, `del /usr/lib`},
		{`"copy" a b`, `"copy" a b`},
		{`"ReN" a`, `"ReN" a`},
		{`sh  -c "echo \"a, b\""`, `sh -c "echo ""a, b"""`},
		{`prog "" a\\b "c\\"`, `prog "" a\\b c\`},
	}
	for _, tt := range tests {
		t.Run(tt.entry, func(t *testing.T) {
			op, err := Parse(tt.entry)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.entry, err)
			}
			if got := op.Canonical(); got != tt.want {
				t.Fatalf("Canonical of %q = %s, want %s", tt.entry, got, tt.want)
			}
			checkRoundTrip(t, tt.entry, op)
		})
	}
}

func TestOp_Canonical_Quoting(t *testing.T) {
	tests := []struct {
		op   Op
		want string
	}{
		{Op{Kind: KindDel, Src: dp("C", "a\u00a0")}, "del \"C:\\a\u00a0\""},
		{Op{Kind: KindRun, Argv: []string{"prog", "a\u2003"}}, "prog \"a\u2003\""},
		{Op{Kind: KindRun, Argv: []string{"prog", "a\x0b"}}, "prog \"a\x0b\""},
		{Op{Kind: KindRun, Argv: []string{";x"}}, `";x"`},
		{Op{Kind: KindRun, Argv: []string{"del", "c:\\x"}}, `"del" c:\x`},
	}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			if got := tt.op.Canonical(); got != tt.want {
				t.Fatalf("Canonical = %q, want %q", got, tt.want)
			}
			checkRoundTrip(t, tt.want, &tt.op)
		})
	}
}
