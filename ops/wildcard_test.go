package ops

import "testing"

func TestMatchWildcard(t *testing.T) {
	cases := []struct {
		pattern, name string
		want          bool
	}{
		{"*.*", "noext", true},
		{"*.*", "a.b.c", true},
		{"*", "x", true},
		{"*.TXT", "readme.txt", true},
		{"*.txt", "readme.txt.bak", false},
		{"?.ini", "a.ini", true},
		{"?.ini", "ab.ini", false},
		{"a*b*c", "aXbYc", true},
		{"a*b*c", "aXbYcZ", false},
		{"*b", "aaab", true},
		{"netapi.dll", "NETAPI.DLL", true},
		{"ÉTÉ*", "été.txt", true},
		{"*.dll", "x.dl", false},
	}
	for _, c := range cases {
		if got := MatchWildcard(c.pattern, c.name); got != c.want {
			t.Errorf("MatchWildcard(%q, %q) = %v", c.pattern, c.name, got)
		}
	}
}
