package ops

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestOp_JSONKeepsBytes: an operation whose paths or arguments are not
// UTF-8 (an old ANSI code page) survives the journal's JSON byte for byte.
func TestOp_JSONKeepsBytes(t *testing.T) {
	tests := []Op{
		{Kind: KindDel, Src: Path{Drive: "C", Rel: "temp/caf\xe9.txt"}},
		{Kind: KindCopy, Src: Path{Drive: "C", Rel: "a"}, Dst: Path{Drive: "D", Rel: "r\xe9sum\xe9/x"}, Verify: true},
		{Kind: KindRun, Argv: []string{"prog", "caf\xe9", "plain"}},
		{Kind: KindRun, Argv: []string{"prog", "ünïcode"}},
		{Kind: KindMD, Src: Path{Drive: "C", Rel: "plain"}},
		{Kind: KindRen, Src: Path{Drive: "C", Rel: "a"}, NewName: "caf\xe9.txt"},
		{Kind: KindCopy, Src: Path{Drive: "C", Rel: "a"}, Join: []JoinPart{{Path: Path{Drive: "C", Rel: "b\xe9"}, Binary: true}}, Dst: Path{Drive: "C", Rel: "c"}, DstDir: true},
	}
	for _, op := range tests {
		data, err := json.Marshal(&op)
		if err != nil {
			t.Fatal(err)
		}
		var got Op
		if err := json.Unmarshal(data, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, op) {
			t.Errorf("%s: got %+v, want %+v", data, got, op)
		}
		if ValidText(op.Argv...) && ValidText(op.Src.Rel, op.Dst.Rel, op.NewName) && !json.Valid(data) {
			t.Errorf("invalid JSON %s", data)
		}
	}
}

// TestOp_OldRenRecordsStayMoves: before ren was a kind of its own, `ren
// c:\a c:\b` was journaled as a move; such a record still decodes to that
// move, which is still executed as one.
func TestOp_OldRenRecordsStayMoves(t *testing.T) {
	old := []byte(`{"kind":"move","src":{"drive":"C","rel":"temp/a.txt"},"dst":{"drive":"C","rel":"temp/b.txt"}}`)
	var op Op
	if err := json.Unmarshal(old, &op); err != nil {
		t.Fatal(err)
	}
	want := Op{Kind: KindMove, Src: Path{Drive: "C", Rel: "temp/a.txt"}, Dst: Path{Drive: "C", Rel: "temp/b.txt"}}
	if !reflect.DeepEqual(op, want) {
		t.Fatalf("decoded %+v, want %+v", op, want)
	}
	again, err := json.Marshal(&op)
	if err != nil || string(again) != string(old) {
		t.Errorf("re-encoded %s, want the old bytes %s", again, old)
	}
}

// plainPath is how encoding/json writes and reads a Path whose text is
// valid UTF-8, without Path's own methods: the reference FuzzPathJSON
// holds appendPath and decodePath to.
type plainPath struct {
	Drive string `json:"drive,omitempty"`
	Rel   string `json:"rel"`
}

// FuzzPathJSON is a differential test of Path's hand-written JSON against
// encoding/json: a valid path encodes to the same bytes; every path
// survives the round trip; and whatever bytes decodePath accepts,
// encoding/json reads as valid JSON with the same drive and path.
func FuzzPathJSON(f *testing.F) {
	f.Add("C", "temp/netapi.dll", []byte(`{"drive":"C","rel":"temp/netapi.dll"}`))
	f.Add("", "usr/lib/x", []byte(`{"rel":"usr/lib/x"}`))
	f.Add("C", "a&b<c>/\"q\"\\\t\n\r\b\f\x01\u2028\u2029é", []byte(`{"rel":"a","drive":"D"}`))
	f.Add("C", "caf\xe9", []byte(`{"drive":"C","rel64":"Y2Fm6Q=="}`))
	f.Add("", "", []byte(`{}`))
	f.Add("C", "x", []byte(`{"rel":"a",}`))
	f.Fuzz(func(t *testing.T, drive, rel string, raw []byte) {
		p := Path{Drive: drive, Rel: rel}
		data, err := json.Marshal(p)
		if err != nil {
			t.Fatal(err)
		}
		if ValidText(drive, rel) {
			want, err := json.Marshal(plainPath(p))
			if err != nil {
				t.Fatal(err)
			}
			if string(data) != string(want) {
				t.Fatalf("%q: encoded %s, encoding/json writes %s", p, data, want)
			}
		}
		var back Path
		if err := json.Unmarshal(data, &back); err != nil {
			t.Fatalf("%s: %v", data, err)
		}
		if back != p && ValidText(drive) {
			t.Fatalf("%q: read back %q from %s", p, back, data)
		}
		if q, ok := decodePath(raw); ok {
			var ref plainPath
			if err := json.Unmarshal(raw, &ref); err != nil {
				t.Fatalf("decodePath took %q, which encoding/json refuses: %v", raw, err)
			}
			if Path(ref) != q {
				t.Fatalf("%q: decodePath read %q, encoding/json %q", raw, q, ref)
			}
		}
	})
}
