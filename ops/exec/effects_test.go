package exec

import (
	"reflect"
	"testing"

	"smswork/ops"
)

// TestEffects is the table of what each kind says it changes: the paths
// backup keeps before the operation and audit replays after it.
func TestEffects(t *testing.T) {
	a, b, c := exC("t/a.dll"), exC("w/a.dll"), exC("w/b.dll")
	item := func(src, dst ops.Path) ops.Item { return ops.Item{Src: src, Dst: dst} }
	copied := &ops.Result{Outcome: ops.Done, Files: []ops.FileResult{{Path: b, Size: 3, SHA256: "s"}}}
	for _, tc := range []struct {
		name string
		op   ops.Op
		in   *ops.Intent
		res  *ops.Result
		want []Effect
	}{
		{"copy planned", ops.Op{Kind: ops.KindCopy}, &ops.Intent{Items: []ops.Item{item(a, b), item(a, c)}}, nil,
			[]Effect{{Change: Replaced, Path: b}, {Change: Replaced, Path: c}}},
		{"copy failed half way", ops.Op{Kind: ops.KindCopy}, &ops.Intent{Items: []ops.Item{item(a, b), item(a, c)}}, copied,
			[]Effect{{Change: Replaced, Path: b, Written: true, SHA256: "s", Size: 3}, {Change: Replaced, Path: c}}},
		{"copy without intent", ops.Op{Kind: ops.KindCopy}, nil, copied,
			[]Effect{{Change: Replaced, Path: b, Written: true, SHA256: "s", Size: 3}}},
		{"touch", ops.Op{Kind: ops.KindCopy, Touch: true}, &ops.Intent{Items: []ops.Item{{Src: b}}}, nil,
			[]Effect{{Change: Touched, Path: b}}},
		{"del", ops.Op{Kind: ops.KindDel}, &ops.Intent{Items: []ops.Item{{Src: b}, {Src: c}}},
			&ops.Result{Files: []ops.FileResult{{Path: c, Absent: true}}},
			[]Effect{{Change: Removed, Path: b}, {Change: Removed, Path: c, Written: true}}},
		{"move renamed", ops.Op{Kind: ops.KindMove}, &ops.Intent{Items: []ops.Item{item(a, b)}},
			&ops.Result{Files: []ops.FileResult{{Path: b}}},
			[]Effect{{Change: Moved, Path: a, To: b, Written: true}}},
		{"move across", ops.Op{Kind: ops.KindMove}, &ops.Intent{CrossDevice: true, Items: []ops.Item{item(a, b)}}, copied,
			[]Effect{{Change: Replaced, Path: b, Written: true, SHA256: "s", Size: 3}, {Change: Removed, Path: a, Written: true}}},
		{"move without intent", ops.Op{Kind: ops.KindMove, Src: a, Dst: b}, nil, &ops.Result{},
			[]Effect{{Change: Unknown, Path: a}, {Change: Unknown, Path: b}}},
		{"md", ops.Op{Kind: ops.KindMD}, &ops.Intent{Items: []ops.Item{{Src: exC("n/m")}}}, nil,
			[]Effect{{Change: MadeDir, Path: exC("n/m")}}},
		{"rd /s", ops.Op{Kind: ops.KindRD, Recursive: true}, &ops.Intent{Items: []ops.Item{{Src: exC("old")}}},
			&ops.Result{Files: []ops.FileResult{{Path: exC("old")}}},
			[]Effect{{Change: RemovedDir, Path: exC("old"), Tree: true, Written: true}}},
		{"run", ops.Op{Kind: ops.KindRun, Argv: []string{"x"}}, &ops.Intent{}, nil, []Effect{{Change: Unknown}}},
		{"unknown kind", ops.Op{Kind: "frob"}, &ops.Intent{}, nil, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Effects(&tc.op, tc.in, tc.res); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Effects = %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestEffects_ManyResults checks that a result of many files (indexed, not
// scanned) marks each effect with its own file.
func TestEffects_ManyResults(t *testing.T) {
	in := &ops.Intent{}
	res := &ops.Result{}
	for i := range 50 {
		p := exC("w/" + string(rune('a'+i%26)) + string(rune('a'+i/26)))
		in.Items = append(in.Items, ops.Item{Src: exC("t/x"), Dst: p})
		res.Files = append(res.Files, ops.FileResult{Path: p, SHA256: p.Rel})
	}
	for i, ef := range Effects(&ops.Op{Kind: ops.KindCopy}, in, res) {
		if !ef.Written || ef.SHA256 != in.Items[i].Dst.Rel {
			t.Fatalf("effect %d: %+v", i, ef)
		}
	}
}
