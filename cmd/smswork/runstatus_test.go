package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"

	"smswork/journal"
	"smswork/ops"
	"smswork/recovery"
)

// TestStatusWriter_Recent: the status file keeps the run's last
// statusRecent records, oldest first, in their stored form, and no more
// than statusRecentBytes of them (the last one always), however many
// commits fall between two rewrites.
func TestStatusWriter_Recent(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n       int
		errLen  int // bytes of error text a record carries
		wantLen int
	}{
		{"fewer than kept", 5, 0, 5},
		{"more than kept", 3*statusEvery + 7, 0, statusRecent},
		{"bounded by bytes", 3*statusEvery + 7, statusRecentBytes/4 - 1024, 4},
		{"one record over the bound", 2, 2 * statusRecentBytes, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			jp := filepath.Join(t.TempDir(), "journal.db")
			w := newStatusWriter(jp, "run", zerolog.Nop())
			for i := 1; i <= tc.n; i++ {
				rec := &journal.Record{ID: uint64(i), Seq: uint64(i), Outcome: ops.Done, Result: ops.Result{Outcome: ops.Done, Err: strings.Repeat("x", tc.errLen)}}
				w.progress(recovery.Progress{Open: tc.n - i, Record: rec})
			}
			w.finish(nil, 0, "done")
			st, err := readRunState(jp)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Recent) != tc.wantLen || st.RecentFrom != 1 || st.Done != tc.n {
				t.Fatalf("recent %d records from %d, done %d; want %d from 1, done %d", len(st.Recent), st.RecentFrom, st.Done, tc.wantLen, tc.n)
			}
			for i, raw := range st.Recent {
				var rec journal.Record
				if err := json.Unmarshal(raw, &rec); err != nil {
					t.Fatal(err)
				}
				if want := uint64(tc.n - tc.wantLen + 1 + i); rec.ID != want {
					t.Errorf("recent[%d] is record %d, want %d", i, rec.ID, want)
				}
				again, err := json.Marshal(&rec)
				if err != nil || string(again) != string(raw) {
					t.Errorf("recent[%d] is not the record's stored form: %s", i, raw)
				}
			}
		})
	}
}
