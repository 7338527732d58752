package exec

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"smswork/ops"
)

// TestExecutor_SymlinkEscape checks that no operation reads, writes,
// creates or deletes outside a drive through a symbolic link inside it,
// absolute or relative, whether the intent comes from Prepare or is forged.
func TestExecutor_SymlinkEscape(t *testing.T) {
	skipUnderWine(t, "Wine's symbolic links are Unix links, not reparse points, so what is refused differs (nothing outside the drive is touched either way)")
	e, m := exNew(t)
	c := m["C"]
	outside := filepath.Join(filepath.Dir(c), "outside")
	secret := exWrite(t, outside, "secret.txt", "secret")
	exWrite(t, c, "a.txt", "inside")
	if err := os.Symlink(outside, filepath.Join(c, "abs")); err != nil {
		t.Skipf("no symbolic links: %v", err)
	}
	if err := os.MkdirAll(filepath.Join(c, "sub", "deeper"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../../outside", filepath.Join(c, "sub", "deeper", "rel")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(c, "secretlink")); err != nil {
		t.Fatal(err)
	}
	before := exSnap(t, outside)
	links := []string{"abs", "sub/deeper/rel"}
	var queue []*ops.Op
	for _, l := range links {
		queue = append(queue,
			&ops.Op{Kind: ops.KindCopy, Src: exC(l + "/secret.txt"), Dst: exC("stolen.txt")},
			&ops.Op{Kind: ops.KindCopy, Src: exC("a.txt"), Dst: exC(l + "/secret.txt")},
			&ops.Op{Kind: ops.KindCopy, Src: exC("a.txt"), Dst: exC(l)},
			&ops.Op{Kind: ops.KindCopy, Src: exC(l + "/*.*"), Dst: exC("sub")},
			&ops.Op{Kind: ops.KindDel, Src: exC(l + "/secret.txt")},
			&ops.Op{Kind: ops.KindDel, Src: exC(l + "/*.txt")},
			&ops.Op{Kind: ops.KindMove, Src: exC(l + "/secret.txt"), Dst: exC("stolen.txt")},
			&ops.Op{Kind: ops.KindMove, Src: exC("a.txt"), Dst: exC(l + "/new.txt")},
			&ops.Op{Kind: ops.KindMD, Src: exC(l + "/newdir")},
			&ops.Op{Kind: ops.KindRD, Src: exC(l), Recursive: true},
			&ops.Op{Kind: ops.KindCopy, Src: exC(l + "/secret.txt"), Touch: true},
		)
	}
	queue = append(queue, &ops.Op{Kind: ops.KindCopy, Src: exC("secretlink"), Dst: exC("stolen.txt")})
	for _, op := range queue {
		name := string(op.Kind) + " " + op.Src.String() + " " + op.Dst.String()
		// Through Prepare.
		if in, err := e.Prepare(op, 1); err == nil {
			if res := e.Execute(context.Background(), op, in, nil); res.Outcome != ops.Failed {
				t.Errorf("%s: %s", name, res.Outcome)
			}
		}
		// With a forged intent, bypassing Prepare's checks. (A copy onto
		// the link itself would replace the link, inside the drive.)
		if op.Dst == exC(links[0]) || op.Dst == exC(links[1]) {
			continue
		}
		in := &ops.Intent{Items: []ops.Item{{Src: op.Src, Dst: op.Dst, Temp: TempName(1, 0), SrcExists: true}}}
		if op.Kind == ops.KindRD || op.Kind == ops.KindMD || op.Touch {
			in.Items[0].Dst = ops.Path{}
		}
		if res := e.Execute(context.Background(), op, in, nil); res.Outcome == ops.Done {
			t.Errorf("%s with a forged intent: %s", name, res.Outcome)
		}
	}
	exDiff(t, "outside", exSnap(t, outside), before)
	if exExists(c, "stolen.txt") {
		t.Error("a file outside was copied in")
	}
}
