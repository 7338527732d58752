package journal

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"smswork/ops"
)

// The stored form of records, queue entries and batches is the journal's
// schema (doc.go): these golden files pin it, the hash chain included. A
// change to them must be a decided change of the format; regenerate with
//
//	SMSWORK_UPDATE_GOLDEN=1 go test ./journal -run TestGolden
var goldenNow = time.Date(2026, 11, 30, 4, 5, 6, 789000000, time.UTC)

func goldenRecord() *Record {
	p := func(rel string) ops.Path { return ops.Path{Drive: "C", Rel: rel} }
	return &Record{
		ID: 7, Seq: 9, Batch: 2, Pos: 1,
		Raw:     `copy c:\temp\netapi.dll c:\windows\system\netapi.dll /y`,
		Op:      ops.Op{Kind: ops.KindCopy, Src: p("temp/netapi.dll"), Dst: p("windows/system/netapi.dll")},
		Outcome: ops.Done,
		Result: ops.Result{Outcome: ops.Done, Bytes: 3, Start: goldenNow, End: goldenNow,
			Files: []ops.FileResult{{Path: p("windows/system/netapi.dll"), Size: 3, SHA256: "ba7816bf", SrcSHA256: "ba7816bf"}}},
		Attempts: 2, Interrupted: 1, Committed: goldenNow, Host: "host", Version: "v1.2.3",
		Intent: &ops.Intent{Items: []ops.Item{{Src: p("temp/netapi.dll"), Dst: p("windows/system/netapi.dll"), Temp: ".smswork-9-0.tmp", SrcExists: true, SrcSize: 3, SrcModTime: goldenNow}},
			Backups: []ops.Backup{{Path: p("windows/system/netapi.dll"), Prior: ops.PriorAbsent}}},
		Prev: "0000000000000000000000000000000000000000000000000000000000000000",
	}
}

// TestGolden_Record checks a record's stored bytes, and so its hash, and
// that they decode back to the record.
func TestGolden_Record(t *testing.T) {
	rec := goldenRecord()
	got, err := encodeRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	checkGolden(t, "record.json", append(got, '\n'))
	var back Record
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(&back, rec) {
		t.Errorf("decoded %+v\nwant %+v", &back, rec)
	}
	claimed, actual, ok := storedHash(got, rec.Prev)
	if !ok || claimed != rec.Hash || actual != rec.Hash {
		t.Errorf("stored hash %q, recomputed %q, want %q", claimed, actual, rec.Hash)
	}
}

// TestGolden_EntryAndBatch checks the encoding of a queue entry and of a
// batch as the queue and batches buckets store them.
func TestGolden_EntryAndBatch(t *testing.T) {
	r := goldenRecord()
	e := &Entry{Seq: 9, Batch: 2, Pos: 1, Raw: r.Raw, Op: r.Op, State: Intent, Intent: r.Intent, IntentAt: goldenNow,
		Attempts: 2, Interrupted: 1, HeldReason: "interrupted", Decision: Rerun, DecidedBy: "root"}
	b := &Batch{ID: 2, Time: goldenNow, Host: "host", Ini: "/var/lib/smswork/SMS.INI", FirstSeq: 9, Entries: 2,
		Atomic: true, OnRollback: RollbackDrop, RolledBack: 1, UndoBarrier: 8, BackupBytes: 40, Discard: []string{"9-1-0"}}
	for name, v := range map[string]any{"entry.json": e, "batch.json": b} {
		got, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		checkGolden(t, name, append(got, '\n'))
		back := reflect.New(reflect.TypeOf(v).Elem()).Interface()
		if err := json.Unmarshal(got, back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(back, v) {
			t.Errorf("%s decodes to %+v, want %+v", name, back, v)
		}
	}
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", "golden", name)
	if os.Getenv("SMSWORK_UPDATE_GOLDEN") != "" {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (regenerate with SMSWORK_UPDATE_GOLDEN=1)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("stored form of %s changed: the journal's schema changed.\ngot:  %s\nwant: %s", name, got, want)
	}
}
