package ops

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"smswork/internal/durable"
)

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

func TestExpandWildcard(t *testing.T) {
	d, m := exDrives(t, "C")
	root, _ := d.Root("C")
	for _, n := range []string{"b.txt", "A.TXT", "c.dat", durable.TempPrefix + "1-0.tmp"} {
		exWrite(t, m["C"], "d/"+n, n)
	}
	ms, err := expandWildcard(root, "d", "*.*")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range ms {
		names = append(names, x.name)
	}
	if got := filepath.Join(names...); got != filepath.Join("A.TXT", "b.txt", "c.dat") {
		t.Errorf("names %v", names)
	}
	if ms, err := expandWildcard(root, "none", "*"); err != nil || len(ms) != 0 {
		t.Errorf("missing folder: %v %v", ms, err)
	}
	if testing.Short() {
		return
	}
	big := filepath.Join(m["C"], "big")
	if err := os.Mkdir(big, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i <= MaxExpansion; i++ {
		if err := os.WriteFile(filepath.Join(big, strconv.Itoa(i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := expandWildcard(root, "big", "*"); !errors.Is(err, ErrTooManyMatches) {
		t.Errorf("over the limit: %v", err)
	}
	if ms, err := expandWildcard(root, "big", "1*"); err != nil || len(ms) != 1112 {
		t.Errorf("under the limit: %d %v", len(ms), err)
	}
}
