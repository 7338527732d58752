package ops

import (
	"errors"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestRenameName: the rules and the worked examples of dbenham's answer
// ("How does the Windows RENAME command interpret wildcards?", measured on
// Windows), which Wine's cmd.exe does not follow in full.
func TestRenameName(t *testing.T) {
	tests := []struct {
		mask, old, want string
	}{
		// No wildcard: the mask itself, trailing dots and spaces trimmed.
		{"b.txt", "a.txt", "b.txt"},
		{"B.TXT", "b.txt", "B.TXT"},
		{"b.", "a.txt", "b"},
		{"b. .", "a.txt", "b"},
		{"dirB", "dirA", "dirB"},
		// The extension changed: * copies through the last dot.
		{"*.bak", "a.log", "a.bak"},
		{"*.bak", "a.b.log", "a.b.bak"},
		{"*.txt", "a", "a.txt"},
		{"*.txt", "c.x.y", "c.x.txt"},
		// An extension added.
		{"*?.bak", "a", "a.bak"},
		{"*?.bak", "b.dat", "b.dat.bak"},
		{"*?.bak", "c.x.y", "c.x.y.bak"},
		// The extension dropped.
		{"*.", "a.txt", "a"},
		{"*.", "a.b.txt", "a.b"},
		{"*.", "noext", "noext"},
		// Name and extension kept.
		{"*", "a.txt", "a.txt"},
		{"*.*", "a.txt", "a.txt"},
		{"*.*", "noext", "noext"},
		{"**", "x.y", "x.y"},
		// ? copies one character, never a dot.
		{"b*", "a.txt", "b.txt"},
		{"b*.txt", "a1.txt", "b1.txt"},
		{"A?Z*", "1", "AZ"},
		{"A?Z*", "12", "A2Z"},
		{"A?Z*", "1.txt", "AZ.txt"},
		{"A?Z*", "12.txt", "A2Z.txt"},
		{"A?Z*", "123", "A2Z"},
		{"A?Z*", "123.txt", "A2Z.txt"},
		{"A?Z*", "1234", "A2Z4"},
		{"A?Z*", "1234.txt", "A2Z4.txt"},
		{"?????.?????", "a", "a"},
		{"?????.?????", "a.b", "a.b"},
		{"?????.?????", "a.b.c", "a.b"},
		{"?????.?????", "part1.part2.part3", "part1.part2"},
		{"?????.?????", "123456.123456.123456", "12345.12345"},
		{"???.log", "abcdef.txt", "abc.log"},
		{"x?", "a.b", "x"},
		// *c: through the LAST c, case-sensitive; c appended when absent.
		{"*_", "abcd_12345.txt", "abcd_"},
		{"*_", "abc_def_12345.txt", "abc_def_"},
		{"*_*", "a_b_c", "a_b_c"},
		{"*x", "abc", "abcx"},
		{"*r", "CaR", "CaRr"},
		{"*r", "CarRot", "Car"},
		{"?x.????999.*rForTheCourse", "part1.part2", "px.part999.rForTheCourse"},
		{"?x.????999.*rForTheCourse", "a.b.c", "ax.b999.crForTheCourse"},
		{"?x.????999.*rForTheCourse", "a.b.CarPart3BEER", "ax.b999.CarParForTheCourse"},
		// Names that become empty.
		{".", "a.txt", ""},
		{"?", ".profile", ""},
		// Bytes that are not UTF-8 are characters of their own.
		{"?*", "\xe9t\xe9.txt", "\xe9t\xe9.txt"},
		{"*.\xe9", "a.b", "a.\xe9"},
	}
	for _, tt := range tests {
		if got := RenameName(tt.mask, tt.old); got != tt.want {
			t.Errorf("RenameName(%q, %q) = %q, want %q", tt.mask, tt.old, got, tt.want)
		}
	}
}

func TestCheckName(t *testing.T) {
	tests := []struct {
		name string
		err  error
	}{
		{"b.txt", nil},
		{"Y.DLL", nil},
		{"a b, c.txt", nil},
		{"", ErrEmptyPath},
		{strings.Repeat("x", MaxNameLen+1), ErrPathTooLong},
		{"a\x01", ErrControlChar},
		{`a\b`, ErrInvalidName},
		{"a/b", ErrInvalidName},
		{"a*", ErrInvalidName},
		{"..", ErrInvalidName},
		{"a:b", ErrInvalidName},
		{"a.", ErrInvalidName},
		{"nul.txt", ErrReservedName},
		{"COM1", ErrReservedName},
	}
	for _, tt := range tests {
		err := CheckName(tt.name)
		if tt.err == nil && err != nil || tt.err != nil && !errors.Is(err, tt.err) {
			t.Errorf("CheckName(%q) = %v, want %v", tt.name, err, tt.err)
		}
	}
}

// FuzzRenameName checks what holds for every mask and name: no panic; no
// trailing dot or space; a mask without wildcards gives itself (trimmed);
// `*`, `*.*` and `*?` keep the name; the result is no longer than the
// mask and the name together, is valid UTF-8 when both are, and holds a
// wildcard only when the old name did (the mask's are never written).
func FuzzRenameName(f *testing.F) {
	for _, s := range [][2]string{
		{"*.bak", "a.log"}, {"A?Z*", "1234.txt"}, {"*.", "a.b.c"}, {"?????.?????", "part1.part2.part3"},
		{"?x.????999.*rForTheCourse", "a.b.CarPart3BEER"}, {"*?.bak", "c.x.y"}, {"b. ", "a"}, {"**?*", "..."},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, mask, old string) {
		got := RenameName(mask, old)
		if strings.HasSuffix(got, ".") || strings.HasSuffix(got, " ") {
			t.Fatalf("RenameName(%q, %q) = %q ends in a dot or a space", mask, old, got)
		}
		if len(got) > len(mask)+len(old) {
			t.Fatalf("RenameName(%q, %q) = %q is longer than both", mask, old, got)
		}
		if !strings.ContainsAny(mask, "*?") && got != strings.TrimRight(mask, ". ") {
			t.Fatalf("RenameName(%q, %q) = %q, want the mask itself", mask, old, got)
		}
		keep := strings.TrimRight(old, ". ")
		for _, m := range []string{"*", "*.*", "*?"} {
			if g := RenameName(m, old); g != keep {
				t.Fatalf("RenameName(%q, %q) = %q, want %q", m, old, g, keep)
			}
		}
		if utf8.ValidString(mask) && utf8.ValidString(old) && !utf8.ValidString(got) {
			t.Fatalf("RenameName(%q, %q) = %q is not UTF-8", mask, old, got)
		}
		if strings.ContainsAny(got, "*?") && !strings.ContainsAny(old, "*?") {
			t.Fatalf("RenameName(%q, %q) = %q holds a wildcard", mask, old, got)
		}
	})
}
