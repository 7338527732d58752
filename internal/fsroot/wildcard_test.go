package fsroot

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"smswork/ops"
)

func TestExpandWildcard(t *testing.T) {
	d, m := exDrives(t, "C")
	root, _ := d.Root("C")
	for _, n := range []string{"b.txt", "A.TXT", "c.dat", TempPrefix + "1-0.tmp"} {
		exWrite(t, m["C"], "d/"+n, n)
	}
	ms, err := ExpandWildcard(root, "d", "*.*")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, x := range ms {
		names = append(names, x.Name)
	}
	if got := filepath.Join(names...); got != filepath.Join("A.TXT", "b.txt", "c.dat") {
		t.Errorf("names %v", names)
	}
	if ms, err := ExpandWildcard(root, "none", "*"); err != nil || len(ms) != 0 {
		t.Errorf("missing folder: %v %v", ms, err)
	}
	if testing.Short() {
		return
	}
	big := filepath.Join(m["C"], "big")
	if err := os.Mkdir(big, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := 0; i <= ops.MaxExpansion; i++ {
		if err := os.WriteFile(filepath.Join(big, strconv.Itoa(i)), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ExpandWildcard(root, "big", "*"); !errors.Is(err, ErrTooManyMatches) {
		t.Errorf("over the limit: %v", err)
	}
	if ms, err := ExpandWildcard(root, "big", "1*"); err != nil || len(ms) != 1112 {
		t.Errorf("under the limit: %d %v", len(ms), err)
	}
}
