package journal

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"smswork/ops"
)

// FuzzDecodeRecord feeds DecodeRecord what a damaged or hostile journal
// could hold in its history bucket. It must never panic; it fails with
// ErrCorrupt or returns a record that encodes and decodes back to itself.
func FuzzDecodeRecord(f *testing.F) {
	when := time.Date(2024, 5, 6, 7, 8, 9, 10, time.UTC)
	seed := &Record{
		ID: 3, Seq: 7, Batch: 2, Pos: 1, Raw: `copy c:\temp\a.dll c:\windows\a.dll /y`,
		Op:      ops.Op{Kind: ops.KindCopy, Src: ops.Path{Drive: "C", Rel: "temp/a.dll"}, Dst: ops.Path{Drive: "C", Rel: "windows/a.dll"}},
		Outcome: ops.Done, Result: ops.Result{Outcome: ops.Done, Start: when, End: when.Add(time.Second), Bytes: 12},
		Attempts: 1, Committed: when, Host: "h", Version: "dev", Prev: strings.Repeat("0", 64), Hash: strings.Repeat("a", 64),
	}
	b, err := json.Marshal(seed)
	if err != nil {
		f.Fatal(err)
	}
	run, _ := json.Marshal(&Record{ID: 1, Op: ops.Op{Kind: ops.KindRun, Argv: []string{"sh", "-c", "x"}},
		Outcome: ops.Failed, Result: ops.Result{Outcome: ops.Failed, ExitCode: -1, Stdout: "\xff", TimedOut: true}})
	for _, s := range []string{
		string(b), string(run), "", "null", "{}", "[]", `"x"`, "{", `{"id":-1}`, `{"id":1e400}`,
		`{"op":{"kind":"copy","src":{"drive":"C","rel":"../../etc"}}}`, `{"committed":"not a time"}`,
		`{"result":{"start":"2024-01-01T00:00:00+25:00"}}`, strings.Repeat("[", 10000), `{"raw":"\ud800"}`,
		`{"id":1,"id":2}`, "{\"raw\":\"\xff\xfe\"}",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, v []byte) {
		r, err := DecodeRecord(v)
		if err != nil {
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("DecodeRecord(%q): %v, not ErrCorrupt", v, err)
			}
			return
		}
		if r == nil {
			t.Fatalf("DecodeRecord(%q): nil record, no error", v)
		}
		enc, err := json.Marshal(r)
		if err != nil {
			t.Fatalf("decoded record %+v does not encode: %v", r, err)
		}
		r2, err := DecodeRecord(enc)
		if err != nil {
			t.Fatalf("re-encoded record %q does not decode: %v", enc, err)
		}
		enc2, err := json.Marshal(r2)
		if err != nil || !bytes.Equal(enc, enc2) {
			t.Fatalf("record does not survive a round trip:\n%s\n%s (%v)", enc, enc2, err)
		}
	})
}
