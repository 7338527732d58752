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
