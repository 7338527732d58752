package audit

import (
	"path/filepath"
	"testing"
	"time"

	"smswork/journal"
	"smswork/ops"
)

func TestExpectedFiles(t *testing.T) {
	j := mustOpenJournal(t)
	p := func(rel string) ops.Path { return ops.Path{Drive: "C", Rel: rel} }
	steps := []struct {
		op  ops.Op
		in  *ops.Intent
		res ops.Result
	}{
		{ops.Op{Kind: ops.KindCopy}, nil, ops.Result{Outcome: ops.Done, Files: []ops.FileResult{{Path: p("sys/a.dll"), SHA256: "a1"}, {Path: p("sys/b.dll"), SHA256: "b1"}}}},
		{ops.Op{Kind: ops.KindCopy}, nil, ops.Result{Outcome: ops.Done, Files: []ops.FileResult{{Path: p("SYS/A.DLL"), SHA256: "a2"}}}},
		{ops.Op{Kind: ops.KindMove}, &ops.Intent{Items: []ops.Item{{Src: p("sys/a.dll"), Dst: p("new/a.dll")}}},
			ops.Result{Outcome: ops.Done, Files: []ops.FileResult{{Path: p("new/a.dll")}}}},
		{ops.Op{Kind: ops.KindDel}, nil, ops.Result{Outcome: ops.Done, Files: []ops.FileResult{{Path: p("sys/b.dll")}}}},
		{ops.Op{Kind: ops.KindCopy}, nil, ops.Result{Outcome: ops.Done, Files: []ops.FileResult{{Path: p("tmp/x/d"), SHA256: "d1"}, {Path: p("keep/e"), SHA256: "e1"}}}},
		{ops.Op{Kind: ops.KindRD, Recursive: true}, nil, ops.Result{Outcome: ops.Done, Files: []ops.FileResult{{Path: p("tmp")}}}},
		{ops.Op{Kind: ops.KindMove}, &ops.Intent{Items: []ops.Item{{Src: p("keep"), Dst: p("kept")}}},
			ops.Result{Outcome: ops.Done, Files: []ops.FileResult{{Path: p("kept")}}}},
		{ops.Op{Kind: ops.KindRun, Argv: []string{"x"}}, nil, ops.Result{Outcome: ops.Done}},
	}
	for _, s := range steps {
		if err := j.Update(func(tx *journal.Tx) error {
			b, err := tx.Ingest("SMS.INI", time.Now(), []journal.NewEntry{{Raw: string(s.op.Kind), Op: s.op}})
			if err != nil {
				return err
			}
			e, _ := tx.Get(b.FirstSeq)
			e.Intent = s.in
			_, err = tx.Commit(e, s.res, false, time.Now())
			return err
		}); err != nil {
			t.Fatal(err)
		}
	}
	var got []ExpectedFile
	if err := j.View(func(tx *journal.Tx) (err error) { got, err = ExpectedFiles(tx); return err }); err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("expected files %+v, want kept/e and new/a.dll", got)
	}
	if got[0].Path != p("kept/e") || got[0].SHA256 != "e1" || got[0].Record != 5 || got[0].RunAfter != 8 {
		t.Errorf("first: %+v", got[0])
	}
	if got[1].Path != p("new/a.dll") || got[1].SHA256 != "a2" || got[1].Record != 2 {
		t.Errorf("second: %+v", got[1])
	}
}

// mustOpenJournal opens a new journal in a folder of the test's own and
// checks it at clean-up.
func mustOpenJournal(t *testing.T) *journal.Journal {
	t.Helper()
	j, err := journal.Open(filepath.Join(t.TempDir(), "smswork.journal"), journal.Options{Host: "test", Version: "v"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if errs := j.Check(); len(errs) > 0 {
			t.Errorf("bbolt check: %v", errs)
		}
		if err := j.Close(); err != nil {
			t.Error(err)
		}
	})
	return j
}
