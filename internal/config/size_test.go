package config

import (
	"strconv"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1GiB", 1 << 30, true},
		{"500MB", 500_000_000, true},
		{"500 MiB", 500 << 20, true},
		{"42", 42, true},
		{"-1", -1, true},
		{"unlimited", -1, true},
		{"Unlimited", -1, true},
		{"", 0, false},
		{"lots", 0, false},
		{"-2", 0, false},
		{"1.5.5GB", 0, false},
		{"99999999999EiB", 0, false},
	} {
		got, err := ParseSize(tc.in)
		if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
			t.Errorf("ParseSize(%q) = %d, %v; want %d (ok %v)", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

// FuzzParseSize: any input gives a size of -1 or more, or an error that
// quotes it; a plain number is read as bytes.
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"0", "1GiB", "500 MB", "-1", "unlimited", "1e3", "18446744073709551615"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			if want := strconv.Quote(s); len(s) < 100 && !strings.Contains(err.Error(), want) {
				t.Fatalf("error %q does not quote the input %s", err, want)
			}
			return
		}
		if n < -1 {
			t.Fatalf("ParseSize(%q) = %d", s, n)
		}
		if v, perr := strconv.ParseInt(s, 10, 64); perr == nil && v >= 0 && v != n {
			t.Fatalf("ParseSize(%q) = %d, want %d", s, n, v)
		}
	})
}
