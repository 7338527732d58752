package main

import (
	"encoding/json"
	"math"
	"path/filepath"
	"runtime/debug"
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

// TestTuneGC: the run's collector settings apply unless the environment
// sets its own (GOGC, GOMEMLIMIT), which then stay.
func TestTuneGC(t *testing.T) {
	oldPercent, oldLimit := debug.SetGCPercent(100), debug.SetMemoryLimit(math.MaxInt64)
	defer func() { debug.SetGCPercent(oldPercent); debug.SetMemoryLimit(oldLimit) }()
	for _, tc := range []struct {
		env                    map[string]string
		wantPercent, wantLimit int64
	}{
		{nil, gcPercent, gcMemoryLimit},
		{map[string]string{"GOGC": "100"}, 100, gcMemoryLimit},
		{map[string]string{"GOMEMLIMIT": "1GiB"}, gcPercent, math.MaxInt64},
	} {
		debug.SetGCPercent(100)
		debug.SetMemoryLimit(math.MaxInt64)
		tuneGC(func(k string) string { return tc.env[k] })
		if p, l := int64(debug.SetGCPercent(100)), debug.SetMemoryLimit(-1); p != tc.wantPercent || l != tc.wantLimit {
			t.Errorf("env %v: GOGC %d, limit %d; want %d, %d", tc.env, p, l, tc.wantPercent, tc.wantLimit)
		}
	}
}
