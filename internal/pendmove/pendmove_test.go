package pendmove

import (
	"reflect"
	"testing"
	"unicode/utf16"
)

// multiSZ is the bytes of strings each ended by a NUL, with extra NULs
// after them.
func multiSZ(extra int, ss ...string) []byte {
	var u []uint16
	for _, s := range ss {
		u = append(u, utf16.Encode([]rune(s))...)
		u = append(u, 0)
	}
	for range extra {
		u = append(u, 0)
	}
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return b
}

func TestParse(t *testing.T) {
	tests := []struct {
		name string
		data []byte
		want []Pending
	}{
		{"empty", nil, nil},
		{"only the list's NUL", multiSZ(1), nil},
		{"replace, as Wine's MoveFileEx writes it", multiSZ(1, `\??\c:\pf\stage.tmp`, `!\??\c:\pf\t.dll`),
			[]Pending{{Source: `c:\pf\stage.tmp`, Target: `c:\pf\t.dll`, Replace: true, RawSource: `\??\c:\pf\stage.tmp`, RawTarget: `!\??\c:\pf\t.dll`}}},
		{"rename without replace", multiSZ(1, `\??\C:\a`, `\??\C:\b`),
			[]Pending{{Source: `C:\a`, Target: `C:\b`, RawSource: `\??\C:\a`, RawTarget: `\??\C:\b`}}},
		{"delete, then a rename", multiSZ(1, `\??\C:\Config.Msi\3ec7bbbf.rbf`, ``, `\??\C:\x`, `!\??\C:\y`),
			[]Pending{
				{Source: `C:\Config.Msi\3ec7bbbf.rbf`, Delete: true, RawSource: `\??\C:\Config.Msi\3ec7bbbf.rbf`},
				{Source: `C:\x`, Target: `C:\y`, Replace: true, RawSource: `\??\C:\x`, RawTarget: `!\??\C:\y`}}},
		{"a delete last", multiSZ(1, `\??\C:\x`, ``),
			[]Pending{{Source: `C:\x`, Delete: true, RawSource: `\??\C:\x`}}},
		{"*1 marker", multiSZ(1, `*1\??\C:\Windows\WinSxS\pending.xml`, `!\??\C:\Windows\x`),
			[]Pending{{Source: `C:\Windows\WinSxS\pending.xml`, Target: `C:\Windows\x`, Replace: true, Marker: "*1",
				RawSource: `*1\??\C:\Windows\WinSxS\pending.xml`, RawTarget: `!\??\C:\Windows\x`}}},
		{"a star that is no marker", multiSZ(1, `*\??\C:\x`, ``),
			[]Pending{{Source: `*\??\C:\x`, Delete: true, RawSource: `*\??\C:\x`}}},
		{"UNC", multiSZ(1, `\??\UNC\srv\share\f`, ``),
			[]Pending{{Source: `\\srv\share\f`, Delete: true, RawSource: `\??\UNC\srv\share\f`}}},
		{"no final NUL", multiSZ(0, `\??\C:\a`, `!\??\C:\b`),
			[]Pending{{Source: `C:\a`, Target: `C:\b`, Replace: true, RawSource: `\??\C:\a`, RawTarget: `!\??\C:\b`}}},
		{"cut short after a source", multiSZ(0, `\??\C:\a`),
			[]Pending{{Source: `C:\a`, Incomplete: true, RawSource: `\??\C:\a`}}},
		{"text after the list's end is not read", multiSZ(0, `\??\C:\a`, ``, ``, `junk`),
			[]Pending{{Source: `C:\a`, Delete: true, RawSource: `\??\C:\a`}}},
		{"odd byte", append(multiSZ(1, `\??\C:\a`, ``), 0x41),
			[]Pending{{Source: `C:\a`, Delete: true, RawSource: `\??\C:\a`}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Parse(tt.data); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Parse:\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestFind(t *testing.T) {
	ps := Parse(multiSZ(1, `\??\C:\PF\Stage.tmp`, `!\??\C:\pf\t.dll`, `\??\c:\pf\old.dll`, ``))
	tests := []struct {
		src, dst string
		want     int
	}{
		{`c:\pf\stage.tmp`, `C:\PF\T.DLL`, 0},
		{`C:/pf/stage.tmp`, `C:/pf/t.dll`, 0},
		{`c:\pf\stage.tmp`, ``, -1},
		{`C:\PF\OLD.DLL`, ``, 1},
		{`C:\pf\old.dll`, `C:\x`, -1},
	}
	for _, tt := range tests {
		if got := Find(ps, tt.src, tt.dst); got != tt.want {
			t.Errorf("Find(%q, %q) = %d, want %d", tt.src, tt.dst, got, tt.want)
		}
	}
}

func TestEncode_RoundTrip(t *testing.T) {
	ps := []Pending{
		{Source: `C:\a`, Target: `C:\b`, Replace: true},
		{Source: `C:\c`, Delete: true},
		{Source: `C:\d`, Target: `C:\e`, Marker: "*1"},
	}
	got := Parse(Encode(ps))
	for i := range got {
		got[i].RawSource, got[i].RawTarget = "", ""
	}
	if !reflect.DeepEqual(got, ps) {
		t.Errorf("got %+v\nwant %+v", got, ps)
	}
}

// FuzzParse: any bytes parse, every pair but a last incomplete one has a
// target or is a delete, and what Encode writes of the result parses back
// to the same pairs.
func FuzzParse(f *testing.F) {
	f.Add(multiSZ(1, `\??\c:\pf\stage.tmp`, `!\??\c:\pf\t.dll`))
	f.Add(multiSZ(1, `*1\??\C:\x`, ``, `\??\C:\y`, `\??\C:\z`))
	f.Add(multiSZ(0, `\??\C:\a`))
	f.Add([]byte{0x00, 0xd8, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		ps := Parse(data)
		var whole []Pending
		for i, p := range ps {
			if p.Incomplete {
				if i != len(ps)-1 {
					t.Fatalf("pair %d of %d incomplete", i, len(ps))
				}
				continue
			}
			if p.Delete == (p.Target != "") {
				t.Fatalf("pair %d: delete %v with target %q", i, p.Delete, p.Target)
			}
			whole = append(whole, p)
		}
		again := Parse(Encode(whole))
		if len(again) != len(whole) {
			t.Fatalf("re-encoded %d pairs parse to %d", len(whole), len(again))
		}
	})
}
