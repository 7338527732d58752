package backup

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"smswork/ops"
)

func TestPlan_Irreversible(t *testing.T) {
	setup := func(e *env) {
		e.file("C:/t/a", "a", 0o644)
		e.file("C:/t/s/b", "b", 0o644)
		e.file("C:/t/s/c", "c", 0o644)
		e.dir("C:/t/e", 0o755)
	} // 5 entries under t
	t.Run("over the limit", func(t *testing.T) {
		e := newEnv(t, false)
		setup(e)
		op, in := prepareRD(t, e)
		in.Backups = []ops.Backup{{Prior: pAbsent}} // from an earlier plan
		if err := PlanLimit(e.d, 1, 1, op, in, 4); err != nil {
			t.Fatal(err)
		}
		if in.Backups != nil || !strings.Contains(in.Irreversible, "more than 4 entries") {
			t.Errorf("backups %v, irreversible %q", in.Backups, in.Irreversible)
		}
		if _, err := e.store.Restore(in, nil); !errors.Is(err, ErrIrreversible) {
			t.Errorf("restore: %v, want ErrIrreversible", err)
		}
	})
	t.Run("at the limit", func(t *testing.T) {
		e := newEnv(t, false)
		setup(e)
		op, in := prepareRD(t, e)
		if err := PlanLimit(e.d, 1, 1, op, in, 5); err != nil {
			t.Fatal(err)
		}
		if len(in.Backups) != 6 || in.Irreversible != "" {
			t.Errorf("%d backups, irreversible %q", len(in.Backups), in.Irreversible)
		}
	})
	t.Run("run", func(t *testing.T) {
		e := newEnv(t, false)
		op := &ops.Op{Kind: ops.KindRun, Argv: []string{"true"}}
		in := &ops.Intent{}
		if err := Plan(e.d, 1, 1, op, in); err != nil || in.Backups != nil {
			t.Errorf("backups %v (%v)", in.Backups, err)
		}
	})
}

func TestStore_Plan(t *testing.T) {
	e := newEnv(t, false)
	e.file("C:/a.txt", "a", 0o644)
	op, err := ops.Parse(`del C:\a.txt`)
	if err != nil {
		t.Fatal(err)
	}
	in, err := e.ex.Prepare(op, 9)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.Plan(9, 2, op, in); err != nil {
		t.Fatal(err)
	}
	want := []ops.Backup{{Path: ops.Path{Drive: "C", Rel: "a.txt"}, Prior: pFile, Name: "9-2-0", Size: 1,
		Mode: in.Backups[0].Mode, ModTime: in.Backups[0].ModTime}}
	fi, err := os.Lstat(e.host("C:/a.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(in.Backups, want) || os.FileMode(in.Backups[0].Mode) != fi.Mode() || !in.Backups[0].ModTime.Equal(baseTime.Add(time.Second)) {
		t.Errorf("backups %+v", in.Backups)
	}
}

func TestName(t *testing.T) {
	if got := Name(7, 2, 13); got != "7-2-13" {
		t.Errorf("Name = %q", got)
	}
	if err := checkName(Name(18446744073709551615, 3, 0)); err != nil {
		t.Error(err)
	}
}

// prepareRD is the intent of rd /s C:\t in e, before any plan.
func prepareRD(t *testing.T, e *env) (*ops.Op, *ops.Intent) {
	t.Helper()
	op, err := ops.Parse(`rd /s C:\t`)
	if err != nil {
		t.Fatal(err)
	}
	in, err := e.ex.Prepare(op, 1)
	if err != nil {
		t.Fatal(err)
	}
	return op, in
}
