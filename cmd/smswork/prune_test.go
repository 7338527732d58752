package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"smswork/journal"
	"smswork/ops"
)

var genBase = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// genJournal writes n committed operations into a new journal at path, the
// i-th committed at genBase plus i minutes, through journal transactions of
// about 10,000 operations each, and leaves SMS.INI's mirror past them.
func genJournal(tb testing.TB, path string, n int) {
	tb.Helper()
	j, err := journal.Open(path, journal.Options{Host: "gen", Version: "test"})
	if err != nil {
		tb.Fatal(err)
	}
	defer func() { _ = j.Close() }()
	const per = 10000
	for done := 0; done < n; done += per {
		m := min(per, n-done)
		err := j.Update(func(tx *journal.Tx) error {
			es := make([]journal.NewEntry, m)
			for i := range es {
				p := ops.Path{Drive: "C", Rel: fmt.Sprintf("temp/f%07d.tmp", done+i)}
				es[i] = journal.NewEntry{Raw: `del ` + p.String(), Op: ops.Op{Kind: ops.KindDel, Src: p}}
			}
			b, err := tx.Ingest("SMS.INI", genBase, es)
			if err != nil {
				return err
			}
			for i := range es {
				e, err := tx.Get(b.FirstSeq + uint64(i))
				if err != nil {
					return err
				}
				at := genBase.Add(time.Duration(done+i) * time.Minute)
				in := &ops.Intent{Items: []ops.Item{{Src: e.Op.Src}}}
				if err := tx.SetIntent(e, in, at); err != nil {
					return err
				}
				res := ops.Result{Outcome: ops.AlreadyDone, Start: at, End: at, Files: []ops.FileResult{{Path: e.Op.Src, Absent: true}}}
				if _, err := tx.Commit(e, res, false, at); err != nil {
					return err
				}
			}
			return tx.ConfirmMirror(tx.NextSeq())
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
}

func copyFile(tb testing.TB, from, to string) {
	tb.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		tb.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		tb.Fatal(err)
	}
}

// historyLines is history --json --oldest-first, line by line.
func (b *box) historyLines() []string {
	b.t.Helper()
	code, out, stderr := b.smswork("history", "--json", "--oldest-first")
	if code != 0 {
		b.t.Fatalf("history: exit %d\n%s", code, stderr)
	}
	return strings.Split(strings.TrimSuffix(out, "\n"), "\n")
}

func TestPrune_VerifyClean(t *testing.T) {
	b := auditBox(t)
	code, out, stderr := b.smswork("history", "prune", "--before", time.Now().Add(time.Hour).Format(time.RFC3339))
	if code != 0 || !strings.Contains(out, "pruned 3 record(s)") {
		t.Fatalf("prune: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, _ := b.smswork("verify"); code != 0 {
		t.Fatalf("verify after prune: exit %d\n%s", code, out)
	}
	if code, _, _ := b.smswork("history", "prune"); code != exitUsage {
		t.Errorf("prune without --before: exit %d", code)
	}
	// The chain goes on from the checkpoint.
	if code, _, _ := b.smswork("add", `md c:\later`); code != 0 {
		t.Fatal("add")
	}
	if code, out, _ := b.smswork("run"); code != 0 {
		t.Fatalf("run after prune: exit %d\n%s", code, out)
	}
	recs := b.historyJSON("--oldest-first")
	if len(recs) != 2 || !recs[0].IsCheckpoint() || recs[0].ID != 3 || recs[1].ID != 4 {
		t.Fatalf("history after prune and run: %+v", recs)
	}
	if code, out, _ := b.smswork("verify"); code != 0 {
		t.Fatalf("verify: exit %d\n%s", code, out)
	}
}

// TestPrune_Crash kills prune at each of its points and checks that the
// journal opens, verifies, and lost no record after the prune point.
func TestPrune_Crash(t *testing.T) {
	const n, cut = 1000, 600
	tmpl := filepath.Join(t.TempDir(), "template.db")
	genJournal(t, tmpl, n)
	before := genBase.Add(cut * time.Minute).Format(time.RFC3339)
	points := []string{"prune.before-delete", "prune.after-step:1", "prune.after-step:4", "compact.after-copy",
		"compact.before-rename", "compact.after-rename", "compact.after-swap"}
	for _, fp := range points {
		t.Run(fp, func(t *testing.T) {
			b := newBox(t, "[SMS Work]\nPendingWork=\n", nil)
			copyFile(t, tmpl, b.journal)
			all := b.historyLines()
			if len(all) != n {
				t.Fatalf("generated %d records", len(all))
			}
			code, out, stderr := b.smsworkEnv([]string{"SMSWORK_FAILPOINT=" + fp}, "history", "prune", "--before", before, "--step", "100")
			if code != -1 {
				t.Fatalf("prune with failpoint %s was not killed: exit %d\n%s%s", fp, code, out, stderr)
			}
			check := func(stage string) {
				if code, out, _ := b.smswork("verify"); code != 0 {
					t.Fatalf("%s: verify: exit %d\n%s", stage, code, out)
				}
				got := b.historyLines()
				first, err := journal.DecodeRecord([]byte(got[0]))
				if err != nil {
					t.Fatal(err)
				}
				from := uint64(1)
				if first.IsCheckpoint() {
					from = first.Checkpoint.Through
					got = got[1:]
				}
				if want := all[from:]; from != 1 && strings.Join(got, "\n") != strings.Join(want, "\n") ||
					from == 1 && strings.Join(got, "\n") != strings.Join(all, "\n") {
					t.Fatalf("%s: %d records after the checkpoint through %d, want %d unchanged", stage, len(got), from, n-int(from))
				}
			}
			check("after the crash")
			code, out, stderr = b.smswork("history", "prune", "--before", before)
			if code != 0 {
				t.Fatalf("prune again: exit %d\n%s%s", code, out, stderr)
			}
			if _, err := os.Stat(b.journal + ".compact"); !os.IsNotExist(err) {
				t.Fatalf("compacted copy left behind: %v", err)
			}
			check("after a second prune")
			recs := b.historyJSON("--oldest-first", "--limit", "1")
			if len(recs) != 1 || !recs[0].IsCheckpoint() || recs[0].Checkpoint.Through != cut {
				t.Fatalf("first record after prune: %+v", recs)
			}
		})
	}
}
