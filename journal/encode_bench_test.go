package journal

import (
	"encoding/json"
	"testing"
	"time"

	"smswork/ops"
)

// benchRecord is the audit record of a small copy over an existing file,
// as a drain writes one per operation.
func benchRecord() *Record {
	t := time.Date(2026, 12, 3, 7, 0, 0, 123456789, time.UTC)
	src, dst := ops.Path{Drive: "C", Rel: "temp/netapi.dll"}, ops.Path{Drive: "C", Rel: "windows/system/netapi.dll"}
	in := &ops.Intent{
		Items:   []ops.Item{{Src: src, Dst: dst, Temp: ".smswork-21-0.tmp", SrcExists: true, SrcSize: 11, SrcModTime: t, DstExisted: true}},
		Backups: []ops.Backup{{Path: dst, Prior: ops.PriorFile, Name: "21-1-0", Size: 4, Mode: 0o644, ModTime: t}},
	}
	return &Record{ID: 21, Seq: 21, Batch: 1, Pos: 21, Raw: `copy c:\temp\netapi.dll c:\windows\system\netapi.dll /y`,
		Op:      ops.Op{Kind: ops.KindCopy, Src: src, Dst: dst},
		Outcome: ops.Done,
		Result: ops.Result{Outcome: ops.Done, Start: t, End: t.Add(time.Millisecond),
			Files: []ops.FileResult{{Path: dst, Size: 11, SHA256: "5dd1e1e1bd1e3b4c6b3bd1e1e1bd1e3b4c6b3bd1e1e1bd1e3b4c6b3bd1e1e1bd", SrcSHA256: "5dd1e1e1bd1e3b4c6b3bd1e1e1bd1e3b4c6b3bd1e1e1bd1e3b4c6b3bd1e1e1bd"}}},
		Attempts: 1, Committed: t, Host: "vm", Version: "dev", Intent: in,
		Prev: "0000000000000000000000000000000000000000000000000000000000000000"}
}

// BenchmarkEncodeRecord is the encoding of one audit record with its hash
// (what every commit marker costs in CPU).
func BenchmarkEncodeRecord(b *testing.B) {
	rec := benchRecord()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := encodeRecord(rec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeEntry is the encoding of one queue entry with its intent
// (what every intent and commit marker rewrites).
func BenchmarkEncodeEntry(b *testing.B) {
	rec := benchRecord()
	e := &Entry{Seq: rec.Seq, Batch: rec.Batch, Pos: rec.Pos, Raw: rec.Raw, Op: rec.Op, State: Intent, Intent: rec.Intent, IntentAt: rec.Committed, Attempts: 1}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := e.MarshalJSON(); err != nil { // as putJSON encodes it
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeEntry is the decoding of one queue entry, as the drain
// reads the next one.
func BenchmarkDecodeEntry(b *testing.B) {
	rec := benchRecord()
	data, err := json.Marshal(&Entry{Seq: rec.Seq, Batch: rec.Batch, Pos: rec.Pos, Raw: rec.Raw, Op: rec.Op, State: Intent, Intent: rec.Intent, IntentAt: rec.Committed, Attempts: 1})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		var e Entry
		if err := decodeEntry(data, &e); err != nil {
			b.Fatal(err)
		}
	}
}
