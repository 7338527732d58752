package ops

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func dp(drive, rel string) Path { return Path{Drive: drive, Rel: rel} }
func np(rel string) Path        { return Path{Rel: rel} }

func TestParse(t *testing.T) {
	tests := []struct {
		name  string
		entry string
		want  *Op
	}{
		// The two entries of KB139086, exactly as the article writes them.
		{"kb copy", `copy c:\temp\netapi.dll c:\windows\system\netapi.dll /y`,
			&Op{Kind: KindCopy, Src: dp("C", "temp/netapi.dll"), Dst: dp("C", "windows/system/netapi.dll")}},
		{"kb del", `del c:\temp\netapi.dll`, &Op{Kind: KindDel, Src: dp("C", "temp/netapi.dll")}},

		// copy and its switches.
		{"copy plain", `copy C:\a D:\b`, &Op{Kind: KindCopy, Src: dp("C", "a"), Dst: dp("D", "b")}},
		{"copy upper verb", `COPY c:\a d:\b`, &Op{Kind: KindCopy, Src: dp("C", "a"), Dst: dp("D", "b")}},
		{"copy mixed verb", `CoPy c:\a d:\b`, &Op{Kind: KindCopy, Src: dp("C", "a"), Dst: dp("D", "b")}},
		{"copy -y", `copy c:\a c:\b /-y`, &Op{Kind: KindCopy, Src: dp("C", "a"), Dst: dp("C", "b"), NoOverwrite: true}},
		{"copy -Y upper", `copy c:\a c:\b /-Y`, &Op{Kind: KindCopy, Src: dp("C", "a"), Dst: dp("C", "b"), NoOverwrite: true}},
		{"copy -y then y", `copy c:\a c:\b /-y /y`, &Op{Kind: KindCopy, Src: dp("C", "a"), Dst: dp("C", "b")}},
		{"copy v", `copy c:\a c:\b /V`, &Op{Kind: KindCopy, Src: dp("C", "a"), Dst: dp("C", "b"), Verify: true}},
		// /a and /b apply to the file they follow (and the files after it),
		// else to the files after them: after DST they are the
		// destination's (a Ctrl-Z appended, or not).
		{"copy a", `copy c:\a c:\b /a`, &Op{Kind: KindCopy, Src: dp("C", "a"), Dst: dp("C", "b"), DstASCII: true}},
		{"copy b", `copy c:\a c:\b /b`, &Op{Kind: KindCopy, Src: dp("C", "a"), Dst: dp("C", "b"), DstBinary: true}},
		{"copy a then b", `copy c:\a c:\b /a /b`, &Op{Kind: KindCopy, Src: dp("C", "a"), Dst: dp("C", "b"), DstBinary: true}},
		{"copy b then a", `copy c:\a c:\b /b /a`, &Op{Kind: KindCopy, Src: dp("C", "a"), Dst: dp("C", "b"), DstASCII: true}},
		{"copy a first", `copy /a c:\a c:\b`, &Op{Kind: KindCopy, Src: dp("C", "a"), Dst: dp("C", "b"), ASCII: true, DstASCII: true}},
		{"copy a after src", `copy c:\a /a c:\b`, &Op{Kind: KindCopy, Src: dp("C", "a"), Dst: dp("C", "b"), ASCII: true, DstASCII: true}},
		{"copy a src b dst", `copy /a c:\a c:\b /b`, &Op{Kind: KindCopy, Src: dp("C", "a"), Dst: dp("C", "b"), ASCII: true, DstBinary: true}},
		{"copy switches first", `copy /y /v c:\a c:\b`, &Op{Kind: KindCopy, Src: dp("C", "a"), Dst: dp("C", "b"), Verify: true}},
		{"copy all", "copy\tc:\\a\t c:\\b /-y /v /a", &Op{Kind: KindCopy, Src: dp("C", "a"), Dst: dp("C", "b"), NoOverwrite: true, Verify: true, DstASCII: true}},
		{"copy wildcard src", `copy c:\temp\*.dll c:\windows\system`, &Op{Kind: KindCopy, Src: dp("C", "temp/*.dll"), Dst: dp("C", "windows/system")}},
		{"copy question src", `copy c:\temp\net???.dll c:\w`, &Op{Kind: KindCopy, Src: dp("C", "temp/net???.dll"), Dst: dp("C", "w")}},
		{"copy to root", `copy c:\temp\a.dll d:\`, &Op{Kind: KindCopy, Src: dp("C", "temp/a.dll"), Dst: dp("D", "")}},

		// Quotes.
		{"quoted spaces", `copy "c:\program files\a b.dll" "d:\x y\z"`,
			&Op{Kind: KindCopy, Src: dp("C", "program files/a b.dll"), Dst: dp("D", "x y/z")}},
		{"quoted comma", `copy "c:\a,b.txt" "c:\c, d.txt"`,
			&Op{Kind: KindCopy, Src: dp("C", "a,b.txt"), Dst: dp("C", "c, d.txt")}},
		{"quote mid token", `del c:\"program files"\x.dll`, &Op{Kind: KindDel, Src: dp("C", "program files/x.dll")}},
		{"quoted plus", `copy "c:\a+b" c:\c`, &Op{Kind: KindCopy, Src: dp("C", "a+b"), Dst: dp("C", "c")}},
		{"quoted switch is a path", `del "/y"`, &Op{Kind: KindDel, Src: np("y")}},

		// Paths.
		{"forward slashes", `copy c:/a/b D:/c`, &Op{Kind: KindCopy, Src: dp("C", "a/b"), Dst: dp("D", "c")}},
		{"mixed slashes", `del z:\a/b\c`, &Op{Kind: KindDel, Src: dp("Z", "a/b/c")}},
		{"case kept", `del c:\Windows\System\NetAPI.DLL`, &Op{Kind: KindDel, Src: dp("C", "Windows/System/NetAPI.DLL")}},
		{"dot and dotdot", `del c:\a\.\b\..\c\\d\`, &Op{Kind: KindDel, Src: dp("C", "a/c/d")}},
		{"dotdot to root then down", `del c:\a\..\b`, &Op{Kind: KindDel, Src: dp("C", "b")}},
		{"native", `copy /usr/lib/x.so /opt/y.so`, &Op{Kind: KindCopy, Src: np("usr/lib/x.so"), Dst: np("opt/y.so")}},
		{"native four bytes", `del /abc`, &Op{Kind: KindDel, Src: np("abc")}},
		{"native dotdot", `del /a/b/../c`, &Op{Kind: KindDel, Src: np("a/c")}},
		{"native device-ish name", `del /usr/share/aux`, &Op{Kind: KindDel, Src: np("usr/share/aux")}},
		{"native colon", `del /a:b`, &Op{Kind: KindDel, Src: np("a:b")}},
		{"forward slash drive path ending like a switch", `copy c:\x c:/d/b`, &Op{Kind: KindCopy, Src: dp("C", "x"), Dst: dp("C", "d/b")}},
		{"dos star dot", `del c:\temp\*.`, &Op{Kind: KindDel, Src: dp("C", "temp/*.")}},
		{"con as a substring", `del c:\console\icon.txt`, &Op{Kind: KindDel, Src: dp("C", "console/icon.txt")}},
		{"com10 is not a device", `del c:\com10`, &Op{Kind: KindDel, Src: dp("C", "com10")}},

		// Touch.
		{"touch", `copy c:\a.txt+,,`, &Op{Kind: KindCopy, Src: dp("C", "a.txt"), Touch: true}},
		{"touch quoted", `copy "c:\a b.txt"+,,`, &Op{Kind: KindCopy, Src: dp("C", "a b.txt"), Touch: true}},
		{"touch spaced", `copy /b c:\a.txt +,,`, &Op{Kind: KindCopy, Src: dp("C", "a.txt"), Touch: true}},

		// del, move, md, rd and their aliases.
		{"erase", `ERASE c:\a`, &Op{Kind: KindDel, Src: dp("C", "a")}},
		{"del q f", `del c:\t\*.* /Q /f`, &Op{Kind: KindDel, Src: dp("C", "t/*.*"), Quiet: true, Force: true}},
		{"move", `move c:\a d:\b`, &Op{Kind: KindMove, Src: dp("C", "a"), Dst: dp("D", "b")}},
		{"move wildcard", `move c:\a\*.txt d:\b`, &Op{Kind: KindMove, Src: dp("C", "a/*.txt"), Dst: dp("D", "b")}},
		{"ren", `ren c:\temp\a.txt b.txt`, &Op{Kind: KindRen, Src: dp("C", "temp/a.txt"), NewName: "b.txt"}},
		{"rename", `Rename c:\a B`, &Op{Kind: KindRen, Src: dp("C", "a"), NewName: "B"}},
		{"ren wildcards", `ren c:\temp\*.log *.bak`, &Op{Kind: KindRen, Src: dp("C", "temp/*.log"), NewName: "*.bak"}},
		{"ren question", `ren c:\t\a*.txt b?*.txt`, &Op{Kind: KindRen, Src: dp("C", "t/a*.txt"), NewName: "b?*.txt"}},
		{"ren folder", `ren c:\temp\dirA dirB`, &Op{Kind: KindRen, Src: dp("C", "temp/dirA"), NewName: "dirB"}},
		{"ren case only", `REN c:\w\y.dll Y.DLL`, &Op{Kind: KindRen, Src: dp("C", "w/y.dll"), NewName: "Y.DLL"}},
		{"ren quoted", `ren "c:\a b\x,y.txt" "new, name.txt"`, &Op{Kind: KindRen, Src: dp("C", "a b/x,y.txt"), NewName: "new, name.txt"}},
		{"ren trailing dot", `ren c:\a.txt b.`, &Op{Kind: KindRen, Src: dp("C", "a.txt"), NewName: "b."}},
		{"ren drop extension", `ren c:\t\*.txt *.`, &Op{Kind: KindRen, Src: dp("C", "t/*.txt"), NewName: "*."}},
		{"ren native", `ren /opt/a b`, &Op{Kind: KindRen, Src: np("opt/a"), NewName: "b"}},

		// A destination ending in a separator names a folder.
		{"copy dst folder", `copy c:\t\x.dll c:\nofolder\`, &Op{Kind: KindCopy, Src: dp("C", "t/x.dll"), Dst: dp("C", "nofolder"), DstDir: true}},
		{"copy dst folder slash", `copy c:\t\x.dll c:/w/`, &Op{Kind: KindCopy, Src: dp("C", "t/x.dll"), Dst: dp("C", "w"), DstDir: true}},
		{"copy dst folder quoted", `copy c:\x "c:\a b\"`, &Op{Kind: KindCopy, Src: dp("C", "x"), Dst: dp("C", "a b"), DstDir: true}},
		{"copy dst root is no folder flag", `copy c:\x d:\`, &Op{Kind: KindCopy, Src: dp("C", "x"), Dst: dp("D", "")}},
		{"copy dst native folder", `copy /a/x /b/`, &Op{Kind: KindCopy, Src: np("a/x"), Dst: np("b"), DstDir: true}},
		{"move dst folder", `move c:\x c:\y\`, &Op{Kind: KindMove, Src: dp("C", "x"), Dst: dp("C", "y"), DstDir: true}},

		// Concatenation.
		{"join", `copy c:\a+c:\b c:\c`, &Op{Kind: KindCopy, Src: dp("C", "a"), Join: []JoinPart{{Path: dp("C", "b")}}, Dst: dp("C", "c")}},
		{"join spaced", `copy c:\a + c:\b+ c:\c +c:\d c:\e`, &Op{Kind: KindCopy, Src: dp("C", "a"),
			Join: []JoinPart{{Path: dp("C", "b")}, {Path: dp("C", "c")}, {Path: dp("C", "d")}}, Dst: dp("C", "e")}},
		{"join binary", `copy /b c:\a+c:\b c:\c`, &Op{Kind: KindCopy, Src: dp("C", "a"), Binary: true,
			Join: []JoinPart{{Path: dp("C", "b"), Binary: true}}, Dst: dp("C", "c"), DstBinary: true}},
		{"join per file", `copy /a c:\a + c:\b /b c:\c`, &Op{Kind: KindCopy, Src: dp("C", "a"), ASCII: true,
			Join: []JoinPart{{Path: dp("C", "b"), Binary: true}}, Dst: dp("C", "c"), DstBinary: true}},
		{"join dst ascii", `copy /b c:\a + c:\b c:\c /a`, &Op{Kind: KindCopy, Src: dp("C", "a"), Binary: true,
			Join: []JoinPart{{Path: dp("C", "b"), Binary: true}}, Dst: dp("C", "c"), DstASCII: true}},
		{"join default then b", `copy c:\a + c:\b /b c:\c`, &Op{Kind: KindCopy, Src: dp("C", "a"),
			Join: []JoinPart{{Path: dp("C", "b"), Binary: true}}, Dst: dp("C", "c"), DstBinary: true}},
		{"join into first", `copy /b c:\a+c:\b`, &Op{Kind: KindCopy, Src: dp("C", "a"), Binary: true,
			Join: []JoinPart{{Path: dp("C", "b"), Binary: true}}, Dst: dp("C", "a"), DstBinary: true}},
		{"join wildcard", `copy c:\t\*.cfg+c:\u\x.cfg c:\all.cfg`, &Op{Kind: KindCopy, Src: dp("C", "t/*.cfg"),
			Join: []JoinPart{{Path: dp("C", "u/x.cfg")}}, Dst: dp("C", "all.cfg")}},
		{"join quoted parts", `copy "c:\a b"+"c:\c+d" c:\e`, &Op{Kind: KindCopy, Src: dp("C", "a b"),
			Join: []JoinPart{{Path: dp("C", "c+d")}}, Dst: dp("C", "e")}},
		{"md", `md c:\new`, &Op{Kind: KindMD, Src: dp("C", "new")}},
		{"mkdir", `mkdir "c:\new folder"`, &Op{Kind: KindMD, Src: dp("C", "new folder")}},
		{"rd", `rd c:\old`, &Op{Kind: KindRD, Src: dp("C", "old")}},
		{"rmdir s q", `rmdir /s /Q c:\old`, &Op{Kind: KindRD, Src: dp("C", "old"), Recursive: true, Quiet: true}},

		// run.
		{"run bare", `regsvr32 /s c:\windows\system\x.dll`, &Op{Kind: KindRun, Argv: []string{"regsvr32", "/s", `c:\windows\system\x.dll`}}},
		{"run shell", `sh -c "echo a, b"`, &Op{Kind: KindRun, Argv: []string{"sh", "-c", "echo a, b"}}},
		{"run cmd", `cmd /c del c:\x`, &Op{Kind: KindRun, Argv: []string{"cmd", "/c", "del", `c:\x`}}},
		{"run absolute", `"c:\program files\x\setup.exe" /q`, &Op{Kind: KindRun, Argv: []string{`c:\program files\x\setup.exe`, "/q"}}},
		{"run native", `/usr/bin/env A=1 true`, &Op{Kind: KindRun, Argv: []string{"/usr/bin/env", "A=1", "true"}}},
		{"run quoted verb", `"copy" a b`, &Op{Kind: KindRun, Argv: []string{"copy", "a", "b"}}},
		{"run verb-like", `copy.exe a b`, &Op{Kind: KindRun, Argv: []string{"copy.exe", "a", "b"}}},
		{"run escapes", `prog "a \"b\"" c\\d`, &Op{Kind: KindRun, Argv: []string{"prog", `a "b"`, `c\\d`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse(tt.entry)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.entry, err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("Parse(%q)\n got %+v\nwant %+v", tt.entry, got, tt.want)
			}
			checkRoundTrip(t, tt.entry, got)
		})
	}
}

func TestParse_Errors(t *testing.T) {
	tests := []struct {
		name  string
		entry string
		err   error
		col   int
	}{
		{"empty", ``, ErrEmpty, 1},
		{"blank", "  \t", ErrEmpty, 1},
		{"NUL", "del c:\\a\x00b", ErrControlChar, 9},
		{"LF", "del c:\\a\nb", ErrControlChar, 9},
		{"CR", "del c:\\a\rb", ErrControlChar, 9},
		{"control char in path", "del \"c:\\a\x01b\"", ErrControlChar, 5},
		{"unterminated quote", `copy "c:\a b c:\c`, ErrUnterminatedQuote, 6},
		{"unterminated quote mid token", `copy c:\a"b c:\c`, ErrUnterminatedQuote, 6},
		{"unterminated run", `prog "a b`, ErrUnterminatedQuote, 6},

		{"unknown switch", `copy a b /x`, ErrUnknownSwitch, 10},
		{"unknown copy switch", `copy c:\a c:\b /q`, ErrUnknownSwitch, 16},
		{"del s", `del c:\a /s`, ErrUnknownSwitch, 10},
		{"rd f", `rd c:\a /f`, ErrUnknownSwitch, 9},
		{"md switch", `md /s c:\a`, ErrUnknownSwitch, 4},
		{"move switch", `move c:\a c:\b /y`, ErrUnknownSwitch, 16},
		{"help", `del /?`, ErrUnknownSwitch, 5},
		{"glued switch", `copy c:\a c:\b.dll/y`, ErrSyntax, 11},
		{"glued switch after quote", `copy c:\a "c:\b c"/-y`, ErrSyntax, 11},

		{"copy one path", `copy c:\a`, ErrArgCount, 10},
		{"copy no path", `copy`, ErrArgCount, 5},
		{"copy three paths", `copy c:\a c:\b c:\c`, ErrArgCount, 16},
		{"move one path", `move c:\a`, ErrArgCount, 10},
		{"del two paths", `del c:\a c:\b`, ErrArgCount, 10},
		{"md none", `md`, ErrArgCount, 3},
		{"rd two", `rd c:\a c:\b`, ErrArgCount, 9},

		{"relative", `del temp\x`, ErrRelativePath, 5},
		{"relative file", `del x.dll`, ErrRelativePath, 5},
		{"drive relative", `del c:temp`, ErrRelativePath, 5},
		{"bare drive", `md c:`, ErrRelativePath, 4},
		{"rooted no drive", `del \temp\x`, ErrRelativePath, 5},
		{"unc", `del \\server\share\x`, ErrUNCPath, 5},
		{"unc forward", `del //server/share/x`, ErrUNCPath, 5},
		{"long path", `del \\?\c:\x`, ErrDevicePath, 5},
		{"device path", `del \\.\c:\x`, ErrDevicePath, 5},
		{"empty path", `del ""`, ErrEmptyPath, 5},
		{"leaves root", `copy c:\a c:\..\x`, ErrLeavesRoot, 11},
		{"leaves root deep", `del c:\a\..\..\x`, ErrLeavesRoot, 5},
		{"native leaves root", `del /a/../../x`, ErrLeavesRoot, 5},
		{"native backslash", `del /a\b`, ErrInvalidName, 5},

		{"con", `del c:\con`, ErrReservedName, 5},
		{"nul.txt", `copy c:\a c:\x\nul.txt`, ErrReservedName, 11},
		{"NUL upper in folder", `del c:\NUL\a`, ErrReservedName, 5},
		{"com1", `md c:\Com1`, ErrReservedName, 4},
		{"lpt9 ext", `del c:\lpt9.log`, ErrReservedName, 5},
		{"prn", `rd c:\prn`, ErrReservedName, 4},
		{"aux", `del c:\aux.h`, ErrReservedName, 5},
		{"conout$", `del c:\conout$`, ErrReservedName, 5},
		{"colon in name", `del c:\a:stream`, ErrInvalidName, 5},
		{"pipe in name", `del "c:\a|b"`, ErrInvalidName, 5},
		{"trailing dot", `del c:\a.`, ErrInvalidName, 5},
		{"trailing space", `del "c:\a "`, ErrInvalidName, 5},

		{"wildcard in folder", `del c:\*\a.txt`, ErrWildcard, 5},
		{"wildcard before dotdot", `del c:\a\*\..\b`, ErrWildcard, 5},
		{"wildcard copy dst", `copy c:\a\*.txt c:\b\*.bak`, ErrWildcard, 17},
		{"wildcard move dst", `move c:\a c:\b?`, ErrWildcard, 11},
		{"wildcard md", `md c:\a*`, ErrWildcard, 4},
		{"wildcard rd", `rd c:\a\?`, ErrWildcard, 4},
		{"wildcard touch", `copy c:\*.txt+,,`, ErrWildcard, 6},

		{"root del", `del c:\`, ErrRootPath, 5},
		{"root rd", `rd / /s`, ErrRootPath, 4},
		{"root copy src", `copy c:\ d:\x`, ErrRootPath, 6},

		{"plus first", `copy +c:\b c:\c`, ErrSyntax, 6},
		{"plus twice", `copy c:\a++c:\b c:\c`, ErrSyntax, 6},
		{"plus after dst", `copy c:\a c:\b+c:\c`, ErrSyntax, 11},
		{"join into wildcard", `copy c:\*.a+c:\b`, ErrWildcard, 6},
		{"join three paths", `copy c:\a+c:\b c:\c c:\d`, ErrArgCount, 21},
		{"join wildcard dst", `copy c:\a+c:\b c:\*.c`, ErrWildcard, 16},

		{"ren path", `ren c:\temp\a.txt c:\temp\b.txt`, ErrNewNamePath, 19},
		{"ren relative path", `ren c:\temp\a.txt sub\b.txt`, ErrNewNamePath, 19},
		{"ren drive", `ren c:\temp\a.txt d:b.txt`, ErrNewNamePath, 19},
		{"ren slash", `ren c:\a b/c`, ErrNewNamePath, 10},
		{"ren one", `ren c:\a`, ErrArgCount, 9},
		{"ren three", `ren c:\a b c`, ErrArgCount, 12},
		{"ren switch", `ren c:\a b /y`, ErrUnknownSwitch, 12},
		{"ren empty name", `ren c:\a ""`, ErrEmptyPath, 10},
		{"ren dots only", `ren c:\a ...`, ErrInvalidName, 10},
		{"ren device", `ren c:\a nul.txt`, ErrReservedName, 10},
		{"ren pipe", `ren c:\a "a|b"`, ErrInvalidName, 10},
		{"ren pipe wildcard", `ren c:\a* "*|b"`, ErrInvalidName, 11},
		{"ren comma", `ren c:\a b,c`, ErrSyntax, 10},
		{"ren root", `ren c:\ b`, ErrRootPath, 5},
		{"ren relative", `ren a.txt b.txt`, ErrRelativePath, 5},
		{"ren wildcard folder", `ren c:\*\a b`, ErrWildcard, 5},
		{"unquoted comma", `del c:\a,b`, ErrSyntax, 5},
		{"touch two files", `copy c:\a c:\b+,,`, ErrArgCount, 6},
		{"touch nothing", `copy +,,`, ErrArgCount, 6},
		{"touch split by the list", `copy /b c:\a +`, ErrSyntax, 14},
		{"touch glued split by the list", `copy /b c:\a+`, ErrSyntax, 9},
		{"touch verify", `copy c:\a+,, /v`, ErrSyntax, 6},

		{"run relative program", `bin\setup.exe /q`, ErrRelativePath, 1},
		{"run relative slash", `./setup.sh`, ErrRelativePath, 1},
		{"run drive relative", `c:setup.exe`, ErrRelativePath, 1},
		{"run empty program", `"" a`, ErrEmptyPath, 1},
		{"run unc", `\\srv\share\x.exe`, ErrUNCPath, 1},
		{"run wildcard", `c:\bin\*.exe`, ErrWildcard, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, err := Parse(tt.entry)
			if err == nil {
				t.Fatalf("Parse(%q) = %+v, want %v", tt.entry, op, tt.err)
			}
			if !errors.Is(err, tt.err) {
				t.Fatalf("Parse(%q) error %v, want %v", tt.entry, err, tt.err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error %T, want *ParseError", tt.entry, err)
			}
			if pe.Col != tt.col || pe.Entry != tt.entry {
				t.Fatalf("Parse(%q): %v: column %d, want %d", tt.entry, err, pe.Col, tt.col)
			}
		})
	}
}

func TestParseError_Error(t *testing.T) {
	_, err := Parse("copy a b /x")
	if err == nil {
		t.Fatal("no error")
	}
	want := `column 10: unknown switch "/x" (copy takes /y, /-y, /v, /a, /b) in "copy a b /x"`
	if err.Error() != want {
		t.Fatalf("got  %s\nwant %s", err, want)
	}
	bare := &ParseError{Entry: "x", Col: 1, Err: ErrEmpty}
	if got := bare.Error(); got != `column 1: empty entry in "x"` {
		t.Fatalf("got %s", got)
	}
	if !strings.Contains(mustErr(t, `del c:\..\x`).Error(), "leaves the root of drive C:") {
		t.Fatalf("leaves-root message: %v", mustErr(t, `del c:\..\x`))
	}
}

func mustErr(t *testing.T, entry string) error {
	t.Helper()
	_, err := Parse(entry)
	if err == nil {
		t.Fatalf("Parse(%q): no error", entry)
	}
	return err
}

// checkRoundTrip checks the property Canonical promises for op, parsed
// from entry.
func checkRoundTrip(t testing.TB, entry string, op *Op) {
	t.Helper()
	c := op.Canonical()
	if strings.ContainsAny(c, "\r\n") || strings.TrimSpace(c) != c {
		t.Fatalf("Canonical of %q = %q holds CR or LF, or space a reader would trim", entry, c)
	}
	body := c
	if op.Touch {
		body = strings.TrimSuffix(c, "+,,")
	}
	if unquotedIndex(body, ",") >= 0 {
		t.Fatalf("Canonical of %q = %q has a comma outside quotes", entry, c)
	}
	back, err := Parse(c)
	if err != nil {
		t.Fatalf("Parse(Canonical) of %q: Canonical %q: %v", entry, c, err)
	}
	if !reflect.DeepEqual(back, op) {
		t.Fatalf("round trip of %q through %q:\n got %+v\nwant %+v", entry, c, back, op)
	}
	if c2 := back.Canonical(); c2 != c {
		t.Fatalf("Canonical not stable for %q: %q then %q", entry, c, c2)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`copy c:\temp\netapi.dll c:\windows\system\netapi.dll /y`,
		`del c:\temp\netapi.dll`,
		`copy "c:\a b,c" "d:\x" /-y /v /a`,
		`copy c:\a.txt+,,`,
		`copy "c:\a b"+,,`,
		`erase c:\t\*.* /q /f`,
		`ren c:\a\..\b d:\`,
		`ren c:\temp\*.log *.bak`,
		`ren "c:\a b" "c, d."`,
		`copy /a c:\a + c:\b /b c:\c\`,
		`copy c:\a+"c:\b+c" /b`,
		`move c:\x d:\y\`,
		`rmdir /s /q "/tmp/x y"`,
		`mkdir /usr/local/x`,
		`del "/y"`,
		`sh -c "echo \"a, b\" \\"`,
		`"copy" a b`,
		`"c:\program files\x.exe" /q ""`,
		`prog a\\\"b "c""d"`,
		`del c:\nul.txt`,
		`copy c:\a c:\b/y`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, entry string) {
		op, err := Parse(entry)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || pe.Err == nil {
				t.Fatalf("Parse(%q) error %v is not a *ParseError with a sentinel", entry, err)
			}
			if pe.Col < 1 || pe.Col > len(entry)+1 {
				t.Fatalf("Parse(%q): column %d out of range", entry, pe.Col)
			}
			return
		}
		checkRoundTrip(t, entry, op)
	})
}
