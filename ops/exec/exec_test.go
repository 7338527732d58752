package exec

import (
	"context"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// exTime is the modification time of every file a test tree starts
// with, so that two trees built apart compare equal.
var exTime = time.Date(2001, 2, 3, 4, 5, 6, 789000000, time.UTC)

// testDrives maps each letter to a fresh folder under t.TempDir().
func exDrives(t *testing.T, letters ...string) (*fsroot.Drives, map[string]string) {
	t.Helper()
	m := map[string]string{}
	for _, l := range letters {
		dir := filepath.Join(t.TempDir(), strings.ToLower(l))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		m[l] = dir
	}
	d, err := fsroot.NewDrives(m)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return d, m
}

func exNew(t *testing.T, letters ...string) (*Executor, map[string]string) {
	t.Helper()
	if len(letters) == 0 {
		letters = []string{"C"}
	}
	d, m := exDrives(t, letters...)
	return &Executor{Drives: d}, m
}

func exC(rel string) ops.Path { return ops.Path{Drive: "C", Rel: rel} }
func exD(rel string) ops.Path { return ops.Path{Drive: "D", Rel: rel} }

// writeFile creates dir/rel (and its folders) with data and exTime.
func exWrite(t *testing.T, dir, rel, data string) string {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, exTime, exTime); err != nil {
		t.Fatal(err)
	}
	return p
}

func exRead(t *testing.T, dir, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(rel)))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func exExists(dir, rel string) bool {
	_, err := os.Lstat(filepath.Join(dir, filepath.FromSlash(rel)))
	return err == nil
}

// snapshot describes every entry under dir: a folder, a link and its
// target, or a file's mode, modification time and bytes.
func exSnap(t *testing.T, dir string) map[string]string {
	t.Helper()
	snap := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		switch {
		case d.IsDir():
			snap[rel] = "<dir>"
		case d.Type()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			snap[rel] = "-> " + target
		default:
			fi, err := d.Info()
			if err != nil {
				return err
			}
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			snap[rel] = fi.Mode().String() + " " + fi.ModTime().UTC().Format(time.RFC3339Nano) + " " + string(b)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return snap
}

func exDiff(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for k, w := range want {
		g, ok := got[k]
		if !ok {
			t.Errorf("%s: %s missing", what, k)
		} else if g != w {
			t.Errorf("%s: %s = %.80q, want %.80q", what, k, g, w)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: unexpected %s (%.60q)", what, k, got[k])
		}
	}
}

// journal round-trips an intent through JSON, as the journal stores it.
func exJournal(t *testing.T, in *ops.Intent) *ops.Intent {
	t.Helper()
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	var out ops.Intent
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return &out
}

// do prepares and executes op, failing the test if Prepare fails.
func exDo(t *testing.T, e *Executor, op *ops.Op) ops.Result {
	t.Helper()
	in, err := e.Prepare(op, 7)
	if err != nil {
		t.Fatalf("Prepare(%+v): %v", op, err)
	}
	return e.Execute(context.Background(), op, exJournal(t, in), func(*ops.Intent) error { return nil })
}

func exWant(t *testing.T, res ops.Result, want ops.Outcome) {
	t.Helper()
	if res.Outcome != want {
		t.Fatalf("outcome %s (err %q), want %s", res.Outcome, res.Err, want)
	}
	if res.Start.IsZero() || res.End.Before(res.Start) {
		t.Errorf("Start %v End %v", res.Start, res.End)
	}
}

func TestExecutor_Prepare(t *testing.T) {
	e, m := exNew(t)
	c := m["C"]
	exWrite(t, c, "src/A.txt", "a")
	exWrite(t, c, "src/b.TXT", "bb")
	exWrite(t, c, "src/c.dat", "ccc")
	exWrite(t, c, "src/"+fsroot.TempPrefix+"9-0.tmp", "x")
	if err := os.Mkdir(filepath.Join(c, "src", "sub.txt"), 0o755); err != nil {
		t.Fatal(err)
	}
	exWrite(t, c, "Dst/b.txt", "old")
	before := exSnap(t, c)

	t.Run("wildcard into folder", func(t *testing.T) {
		skipCaseInsensitive(t)
		op := &ops.Op{Kind: ops.KindCopy, Src: exC("SRC/*.TXT"), Dst: exC("dst")}
		in, err := e.Prepare(op, 42)
		if err != nil {
			t.Fatal(err)
		}
		if len(in.Items) != 2 {
			t.Fatalf("items %+v", in.Items)
		}
		a, b := in.Items[0], in.Items[1]
		if a.Src != exC("src/A.txt") || a.Dst != exC("Dst/A.txt") || b.Src != exC("src/b.TXT") || b.Dst != exC("Dst/b.txt") {
			t.Errorf("items %+v", in.Items)
		}
		if a.DstExisted || !b.DstExisted || !a.SrcExists || a.SrcSize != 1 || !a.SrcModTime.Equal(exTime) {
			t.Errorf("item states %+v", in.Items)
		}
		if a.Temp != TempName(42, 0) || b.Temp != TempName(42, 1) || !strings.HasPrefix(a.Temp, fsroot.TempPrefix) ||
			!strings.Contains(a.Temp, "42") {
			t.Errorf("temps %q %q", a.Temp, b.Temp)
		}
		again, _ := e.Prepare(op, 42)
		if again.Items[1].Temp != b.Temp {
			t.Error("temp names are not deterministic")
		}
	})
	t.Run("several sources moved need a folder", func(t *testing.T) {
		_, err := e.Prepare(&ops.Op{Kind: ops.KindMove, Src: exC("src/*.*"), Dst: exC("nowhere.txt")}, 1)
		if !errors.Is(err, ErrDstNotFolder) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("several sources copied into a file are joined", func(t *testing.T) {
		in, err := e.Prepare(&ops.Op{Kind: ops.KindCopy, Src: exC("src/*.*"), Dst: exC("nowhere.txt")}, 1)
		if err != nil || in.Join == nil || len(in.Items) != 1 || len(in.Join.Parts) != 3 {
			t.Errorf("intent %+v, err %v", in, err)
		}
	})
	t.Run("no match", func(t *testing.T) {
		_, err := e.Prepare(&ops.Op{Kind: ops.KindMove, Src: exC("src/*.none"), Dst: exC("dst")}, 1)
		if !errors.Is(err, ErrNoMatch) {
			t.Errorf("err %v", err)
		}
	})
	t.Run("del skips folders and temps", func(t *testing.T) {
		in, err := e.Prepare(&ops.Op{Kind: ops.KindDel, Src: exC("src/*")}, 1)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, it := range in.Items {
			names = append(names, it.Src.Rel)
		}
		if strings.Join(names, ",") != "src/A.txt,src/b.TXT,src/c.dat" {
			t.Errorf("items %v", names)
		}
	})
	t.Run("reads only", func(t *testing.T) {
		exDiff(t, "after Prepare", exSnap(t, c), before)
	})
}

func TestExecutor_ExecuteBadIntent(t *testing.T) {
	e, _ := exNew(t)
	cases := []struct {
		name string
		op   *ops.Op
		in   *ops.Intent
	}{
		{"nil op", nil, &ops.Intent{}},
		{"nil intent", &ops.Op{Kind: ops.KindDel}, nil},
		{"unknown kind", &ops.Op{Kind: "format"}, &ops.Intent{}},
		{"md without item", &ops.Op{Kind: ops.KindMD}, &ops.Intent{}},
		{"dotdot", &ops.Op{Kind: ops.KindDel}, &ops.Intent{Items: []ops.Item{{Src: exC("a/../../etc")}}}},
		{"foreign temp", &ops.Op{Kind: ops.KindCopy}, &ops.Intent{Items: []ops.Item{{Src: exC("a"), Dst: exC("b"), Temp: "important.doc"}}}},
		{"temp with folder", &ops.Op{Kind: ops.KindCopy}, &ops.Intent{Items: []ops.Item{{Src: exC("a"), Dst: exC("b"), Temp: fsroot.TempPrefix + "/../x"}}}},
		{"move across drives unmarked", &ops.Op{Kind: ops.KindMove}, &ops.Intent{Items: []ops.Item{{Src: exC("a"), Dst: exD("b")}}}},
		{"bad drive", &ops.Op{Kind: ops.KindDel}, &ops.Intent{Items: []ops.Item{{Src: ops.Path{Drive: "CC", Rel: "a"}}}}},
		{"run without argv", &ops.Op{Kind: ops.KindRun}, &ops.Intent{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := e.Execute(context.Background(), c.op, c.in, nil)
			if res.Outcome != ops.Failed || res.Err == "" {
				t.Errorf("result %+v", res)
			}
		})
	}
}

type exMem struct{ total uint64 }

func (m *exMem) read() {
	var s runtime.MemStats
	runtime.ReadMemStats(&s)
	m.total = s.TotalAlloc
}

// exCrash is the panic a test failpoint raises to simulate a crash.
type exCrash struct{ point string }

// exCatch runs f and reports whether it crashed at a failpoint.
func exCatch(f func()) (crashed bool) {
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(exCrash); !ok {
				panic(r)
			}
			crashed = true
		}
	}()
	f()
	return false
}

// exSnapAll snapshots every drive of a test, keyed by letter.
func exSnapAll(t *testing.T, dirs map[string]string) map[string]string {
	t.Helper()
	all := map[string]string{}
	for l, dir := range dirs {
		for k, v := range exSnap(t, dir) {
			all[l+":"+k] = v
		}
	}
	return all
}

// exCrashCase is one operation on one starting tree, to be interrupted at
// each of its failpoints.
type exCrashCase struct {
	letters []string
	setup   func(t *testing.T, dirs map[string]string)
	op      *ops.Op
	points  []string
	// clock, when set, is every executor's Clock (a join's time).
	clock func() time.Time
}

// exRunCrashes checks the key contract of Execute: for each failpoint and
// each time it is reached (the n-th item), a crash there (and a second crash
// at the same point during the first recovery), followed by Execute again
// with the intent as journaled, leaves every drive exactly as one
// uninterrupted Execute on the same starting tree does, with no temporary
// file left.
func exRunCrashes(t *testing.T, cc exCrashCase) {
	t.Helper()
	e, dirs := exNew(t, cc.letters...)
	e.Clock = cc.clock
	cc.setup(t, dirs)
	if res := exDo(t, e, cc.op); res.Outcome == ops.Failed {
		t.Fatalf("uninterrupted: %s", res.Err)
	}
	want := exSnapAll(t, dirs)
	ctx := context.Background()
	for _, point := range cc.points {
		for nth := 1; ; nth++ {
			finished := false
			t.Run(point+"#"+strconv.Itoa(nth), func(t *testing.T) {
				e, dirs := exNew(t, cc.letters...)
				e.Clock = cc.clock
				cc.setup(t, dirs)
				in, err := e.Prepare(cc.op, 7)
				if err != nil {
					t.Fatal(err)
				}
				journaled := exJournal(t, in)
				step := func(in *ops.Intent) error { journaled = exJournal(t, in); return nil }
				hits := 0
				e.Failpoint = func(name string) {
					if name == point {
						if hits++; hits == nth {
							panic(exCrash{point})
						}
					}
				}
				if !exCatch(func() { e.Execute(ctx, cc.op, exJournal(t, journaled), step) }) {
					if nth == 1 {
						t.Fatalf("failpoint %s never reached", point)
					}
					finished = true
					return
				}
				// Crash again at the same point while recovering.
				again := false
				e.Failpoint = func(name string) {
					if name == point && !again {
						again = true
						panic(exCrash{point})
					}
				}
				exCatch(func() { e.Execute(ctx, cc.op, exJournal(t, journaled), step) })
				e.Failpoint = nil
				res := e.Execute(ctx, cc.op, exJournal(t, journaled), step)
				if res.Outcome == ops.Failed {
					t.Fatalf("recovery failed: %s", res.Err)
				}
				exDiff(t, "after recovery", exSnapAll(t, dirs), want)
			})
			if finished || t.Failed() {
				break
			}
		}
	}
}
