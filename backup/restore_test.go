package backup

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"smswork/ops"
)

// undoCase is an operation on a tree that undo must put back exactly.
type undoCase struct {
	name   string
	drives []string
	setup  func(e *env)
	entry  string
	// kinds are the prior states Plan must record, in order (nil: check
	// runs instead).
	kinds []ops.PriorKind
	// check, when set, checks the planned intent further.
	check func(t *testing.T, in *ops.Intent)
	// noChange: the operation changes nothing (undo has nothing to do).
	noChange bool
}

const (
	pAbsent = ops.PriorAbsent
	pFile   = ops.PriorFile
	pLink   = ops.PriorLink
	pDir    = ops.PriorDir
	pTime   = ops.PriorTime
)

func undoCases() []undoCase {
	return []undoCase{{
		name: "copy over an existing file",
		setup: func(e *env) {
			e.file("C:/a.txt", "new content", 0o644)
			e.file("C:/b.txt", "old", 0o600)
		},
		entry: `copy C:\a.txt C:\b.txt`,
		kinds: []ops.PriorKind{pFile},
	}, {
		name:  "copy to a new file",
		setup: func(e *env) { e.file("C:/a.txt", "content", 0o640) },
		entry: `copy C:\a.txt C:\new.txt`,
		kinds: []ops.PriorKind{pAbsent},
	}, {
		name: "copy with wildcards into a folder",
		setup: func(e *env) {
			e.file("C:/src/one.txt", "one", 0o644)
			e.file("C:/src/two.txt", "two", 0o600)
			e.file("C:/src/skip.log", "skip", 0o644)
			e.file("C:/dst/one.txt", "old one", 0o444)
		},
		entry: `copy C:\src\*.txt C:\dst`,
		kinds: []ops.PriorKind{pFile, pAbsent},
	}, {
		name:  "touch",
		setup: func(e *env) { e.file("C:/a.txt", "content", 0o644) },
		entry: `copy C:\a.txt+,,`,
		kinds: []ops.PriorKind{pTime},
	}, {
		name: "del with a wildcard, links and a read-only file",
		setup: func(e *env) {
			e.file("C:/d/x.txt", "x", 0o644)
			e.file("C:/d/y.txt", "y", 0o444)
			e.link("C:/d/lnk", "x.txt")
			e.link("C:/d/dangling", "nowhere")
			e.file("C:/d/sub/kept.txt", "kept", 0o644)
		},
		entry: `del /f C:\d\*`,
		kinds: []ops.PriorKind{pLink, pLink, pFile, pFile},
	}, {
		name:     "del of an absent file",
		setup:    func(e *env) { e.file("C:/other.txt", "other", 0o644) },
		entry:    `del C:\gone.txt`,
		kinds:    nil,
		noChange: true,
	}, {
		name:  "move in one folder (rename)",
		setup: func(e *env) { e.file("C:/a.txt", "a", 0o640) },
		entry: `move C:\a.txt C:\b.txt`,
		kinds: []ops.PriorKind{pAbsent, pFile},
	}, {
		name: "move into another folder over an existing file",
		setup: func(e *env) {
			e.file("C:/a.txt", "new a", 0o644)
			e.file("C:/sub/a.txt", "old a", 0o600)
		},
		entry: `move C:\a.txt C:\sub`,
		kinds: []ops.PriorKind{pFile, pFile},
	}, {
		name:  "move of a link",
		setup: func(e *env) { e.link("C:/lnk", "target") },
		entry: `move C:\lnk C:\lnk2`,
		kinds: []ops.PriorKind{pAbsent, pLink},
	}, {
		name: "move of a folder",
		setup: func(e *env) {
			e.file("C:/tree/f1", "f1", 0o644)
			e.file("C:/tree/sub/f2", "f2", 0o600)
			e.link("C:/tree/lnk", "f1")
			e.dir("C:/tree", 0o750)
		},
		entry: `move C:\tree C:\moved`,
		kinds: []ops.PriorKind{pAbsent, pDir},
		check: func(t *testing.T, in *ops.Intent) {
			if got := in.Backups[1].Moved; got != (ops.Path{Drive: "C", Rel: "moved"}) {
				t.Errorf("Moved = %v", got)
			}
		},
	}, {
		name:   "move across drives over a file",
		drives: []string{"C", "D"},
		setup: func(e *env) {
			e.file("C:/a.txt", "from C", 0o640)
			e.file("D:/a.txt", "was on D", 0o644)
		},
		entry: `move C:\a.txt D:\a.txt`,
		kinds: []ops.PriorKind{pFile, pFile},
		check: func(t *testing.T, in *ops.Intent) {
			if !in.CrossDevice {
				t.Error("not marked CrossDevice")
			}
		},
	}, {
		name:  "md with missing parents",
		setup: func(e *env) { e.dir("C:/keep", 0o755) },
		entry: `md C:\keep\x\y\z`,
		kinds: []ops.PriorKind{pAbsent, pAbsent, pAbsent},
		check: func(t *testing.T, in *ops.Intent) {
			want := []string{"keep/x", "keep/x/y", "keep/x/y/z"}
			for i, b := range in.Backups {
				if b.Path.Rel != want[i] {
					t.Errorf("backup %d is %s, want %s", i, b.Path.Rel, want[i])
				}
			}
		},
	}, {
		name:     "md of an existing folder",
		setup:    func(e *env) { e.dir("C:/keep", 0o755) },
		entry:    `md C:\keep`,
		kinds:    nil,
		noChange: true,
	}, {
		name:  "rd",
		setup: func(e *env) { e.dir("C:/empty", 0o750) },
		entry: `rd C:\empty`,
		kinds: []ops.PriorKind{pDir},
	}, {
		name: "rd /s of a tree",
		setup: func(e *env) {
			e.file("C:/tree/a.txt", "a", 0o644)
			e.file("C:/tree/ro.txt", "read-only", 0o444)
			e.file("C:/tree/b/c.txt", "c", 0o600)
			e.file("C:/tree/b/f/deep.txt", "deep", 0o640)
			e.dir("C:/tree/b/e", 0o700)
			e.link("C:/tree/lf", "a.txt")
			e.link("C:/tree/ld", "b")
			e.link("C:/tree/b/dangling", "../nowhere")
			e.dir("C:/tree/b/f", 0o555)
			e.dir("C:/tree/b", 0o750)
			e.dir("C:/tree", 0o711)
		},
		entry: `rd /s /q C:\tree`,
		check: checkPostOrder,
	}}
}

// checkPostOrder checks the backups of an rd /s: every entry once, each
// folder after everything under it, the folder itself last.
func checkPostOrder(t *testing.T, in *ops.Intent) {
	t.Helper()
	count := map[ops.PriorKind]int{}
	seen := map[string]int{}
	for i, b := range in.Backups {
		count[b.Prior]++
		seen[b.Path.Rel] = i
		if b.Prior == pFile && b.Name != Name(1, 1, i) {
			t.Errorf("backup %d named %s", i, b.Name)
		}
	}
	want := map[ops.PriorKind]int{pFile: 4, pLink: 3, pDir: 4}
	for k, n := range want {
		if count[k] != n {
			t.Errorf("%d backups %s, want %d (%v)", count[k], k, n, priorKinds(in))
		}
	}
	if last := in.Backups[len(in.Backups)-1]; last.Path.Rel != "tree" || last.Prior != pDir {
		t.Errorf("last backup %v, want the folder itself", last)
	}
	for p, i := range seen {
		for q, j := range seen {
			if strings.HasPrefix(q, p+"/") && j > i {
				t.Errorf("%s (backup %d) comes after its folder %s (%d)", q, j, p, i)
			}
		}
	}
}

// restoreAndCompare undoes in and checks the tree is before; a second
// Restore must find nothing to do.
func restoreAndCompare(t *testing.T, e *env, in *ops.Intent, before map[string]entry, noChange bool) {
	t.Helper()
	res, err := e.store.Restore(in, nil)
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	wantOutcome := ops.Done
	if noChange {
		wantOutcome = ops.AlreadyDone
	}
	if res.Outcome != wantOutcome {
		t.Errorf("outcome %s, want %s", res.Outcome, wantOutcome)
	}
	if d := diff(before, e.snapshot()); d != "" {
		t.Fatalf("after restore:\n%s", d)
	}
	checkResult(t, e, in, res)
	res, err = e.store.Restore(in, nil)
	if err != nil {
		t.Fatalf("second restore: %v", err)
	}
	if res.Outcome != ops.AlreadyDone {
		t.Errorf("second restore outcome %s, want %s", res.Outcome, ops.AlreadyDone)
	}
	if d := diff(before, e.snapshot()); d != "" {
		t.Fatalf("after a second restore:\n%s", d)
	}
	checkResult(t, e, in, res)
}

// checkResult checks the Files of a Restore: one per path of the
// backups, with the hash of each file put back and Absent where a path
// was removed.
func checkResult(t *testing.T, e *env, in *ops.Intent, res ops.Result) {
	t.Helper()
	paths := map[ops.Path]ops.Backup{}
	for _, b := range in.Backups {
		paths[b.Path] = b
	}
	if len(res.Files) != len(paths) {
		t.Errorf("%d results for %d paths", len(res.Files), len(paths))
	}
	for _, fr := range res.Files {
		b, ok := paths[fr.Path]
		if !ok {
			t.Errorf("result for %s, not a backup's path", fr.Path)
			continue
		}
		switch b.Prior {
		case pFile:
			data := mustRead(t, e.hostOf(fr.Path))
			if fr.SHA256 != sha(data) || fr.Size != int64(len(data)) {
				t.Errorf("%s: result %d bytes %s, file %d bytes %s", fr.Path, fr.Size, fr.SHA256, len(data), sha(data))
			}
		case pAbsent:
			if !fr.Absent {
				t.Errorf("%s: not marked absent", fr.Path)
			}
		}
	}
	if res.Start.IsZero() || res.End.Before(res.Start) {
		t.Errorf("times %v %v", res.Start, res.End)
	}
}

func TestStore_Restore(t *testing.T) {
	for _, m := range modes {
		for _, tc := range undoCases() {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				e := newEnv(t, m.copyOnly, tc.drives...)
				tc.setup(e)
				before := e.snapshot()
				_, in, _ := e.run(tc.entry)
				if tc.kinds != nil || tc.check == nil {
					if got := priorKinds(in); !slices.Equal(got, tc.kinds) {
						t.Fatalf("backups %v, want %v", got, tc.kinds)
					}
				}
				if tc.check != nil {
					tc.check(t, in)
				}
				if d := diff(before, e.snapshot()); (d == "") != tc.noChange {
					t.Fatalf("operation changed the tree: %q, want a change: %v", d, !tc.noChange)
				}
				restoreAndCompare(t, e, in, before, tc.noChange)
			})
		}
	}
}

// crash is what the failpoint of a crash test panics with.
type crash struct{}

// restoreCrashing runs Restore with a failpoint that panics at its n-th
// hit, and reports whether it was reached.
func restoreCrashing(t *testing.T, s *Store, in *ops.Intent, n int) (crashed bool) {
	t.Helper()
	hits := 0
	defer func() {
		if r := recover(); r != nil {
			if _, ok := r.(crash); !ok {
				panic(r)
			}
			crashed = true
		}
	}()
	_, err := s.Restore(in, func(string) {
		hits++
		if hits == n {
			panic(crash{})
		}
	})
	if err != nil {
		t.Fatalf("restore: %v", err)
	}
	return false
}

func TestStore_Restore_Crash(t *testing.T) {
	for _, m := range modes {
		for _, tc := range undoCases() {
			t.Run(m.name+"/"+tc.name, func(t *testing.T) {
				n := 1
				for ; ; n++ {
					e := newEnv(t, m.copyOnly, tc.drives...)
					tc.setup(e)
					before := e.snapshot()
					_, in, _ := e.run(tc.entry)
					crashed := restoreCrashing(t, e.store, in, n)
					if _, err := e.store.Restore(in, nil); err != nil {
						t.Fatalf("restore after a crash at hit %d: %v", n, err)
					}
					if d := diff(before, e.snapshot()); d != "" {
						t.Fatalf("restore after a crash at hit %d:\n%s", n, d)
					}
					if !crashed {
						break
					}
				}
				if wantAtLeast := len(undoBackups(t, tc, m.copyOnly)) + 1; n < wantAtLeast {
					t.Errorf("only %d failpoint hits for %d backups", n-1, wantAtLeast-1)
				}
			})
		}
	}
}

// undoBackups plans tc once and returns its backups.
func undoBackups(t *testing.T, tc undoCase, copyOnly bool) []ops.Backup {
	e := newEnv(t, copyOnly, tc.drives...)
	tc.setup(e)
	_, in := e.prepare(tc.entry, 1)
	return in.Backups
}

func TestStore_Restore_Errors(t *testing.T) {
	t.Run("missing backup file", func(t *testing.T) {
		e := newEnv(t, false)
		e.file("C:/a.txt", "a", 0o644)
		_, in, _ := e.run(`del C:\a.txt`)
		if err := e.store.Remove([]string{in.Backups[0].Name}); err != nil {
			t.Fatal(err)
		}
		_, err := e.store.Restore(in, nil)
		if !errors.Is(err, ErrNoBackup) || !strings.Contains(err.Error(), `C:\a.txt`) {
			t.Errorf("err %v, want ErrNoBackup naming the file", err)
		}
	})
	t.Run("folder made then filled", func(t *testing.T) {
		e := newEnv(t, false)
		_, in, _ := e.run(`md C:\new`)
		e.file("C:/new/later.txt", "later", 0o644)
		res, err := e.store.Restore(in, nil)
		if !errors.Is(err, ErrNotEmpty) || !strings.Contains(err.Error(), `folder C:\new is not empty`) {
			t.Errorf("err %v, want ErrNotEmpty naming the folder", err)
		}
		if res.Outcome != ops.Failed || res.Err == "" {
			t.Errorf("result %+v", res)
		}
		if _, err := os.Stat(e.host("C:/new/later.txt")); err != nil {
			t.Errorf("the later file: %v", err)
		}
	})
	t.Run("missing folder", func(t *testing.T) {
		e := newEnv(t, false)
		e.file("C:/d/a.txt", "a", 0o644)
		_, in, _ := e.run(`del C:\d\a.txt`)
		if err := os.Remove(e.host("C:/d")); err != nil {
			t.Fatal(err)
		}
		_, err := e.store.Restore(in, nil)
		if !errors.Is(err, ErrNoFolder) || !strings.Contains(err.Error(), `C:\d\a.txt`) {
			t.Errorf("err %v, want ErrNoFolder naming the file", err)
		}
	})
	t.Run("folder where a file goes back", func(t *testing.T) {
		e := newEnv(t, false)
		e.file("C:/a.txt", "a", 0o644)
		_, in, _ := e.run(`del C:\a.txt`)
		e.dir("C:/a.txt", 0o755)
		_, err := e.store.Restore(in, nil)
		if !errors.Is(err, ErrInTheWay) {
			t.Errorf("err %v, want ErrInTheWay", err)
		}
	})
	t.Run("bad records touch nothing", func(t *testing.T) {
		for _, b := range []ops.Backup{
			{Path: ops.Path{Drive: "C", Rel: "a.txt"}, Prior: pFile, Name: "../../x"},
			{Path: ops.Path{Drive: "C", Rel: "../x"}, Prior: pAbsent},
			{Path: ops.Path{Drive: "C", Rel: ""}, Prior: pAbsent},
			{Path: ops.Path{Drive: "C", Rel: "m"}, Prior: pDir, Moved: ops.Path{Drive: "D", Rel: "m"}},
			{Path: ops.Path{Drive: "C", Rel: "a.txt"}, Prior: "what"},
		} {
			e := newEnv(t, false)
			e.file("C:/a.txt", "a", 0o644)
			before := e.snapshot()
			in := &ops.Intent{Backups: []ops.Backup{{Path: ops.Path{Drive: "C", Rel: "a.txt"}, Prior: pAbsent}, b}}
			if _, err := e.store.Restore(in, nil); !errors.Is(err, ErrBadRecord) {
				t.Errorf("%+v: err %v, want ErrBadRecord", b, err)
			}
			if d := diff(before, e.snapshot()); d != "" {
				t.Errorf("%+v: changed the tree:\n%s", b, d)
			}
		}
	})
}

func TestStore_Capture(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name+"/twice", func(t *testing.T) {
			e := newEnv(t, m.copyOnly)
			e.file("C:/a.txt", "aaa", 0o644)
			e.file("C:/b.txt", "bb", 0o600)
			_, in := e.prepare(`del C:\*.txt`, 1)
			for range 2 {
				if err := e.store.Capture(in); err != nil {
					t.Fatal(err)
				}
				e.checkCaptured(in)
				if _, files, err := e.store.Usage(); err != nil || files != 2 {
					t.Errorf("usage: %d files (%v), want 2", files, err)
				}
			}
		})
		t.Run(m.name+"/after a crash half-way", func(t *testing.T) {
			e := newEnv(t, m.copyOnly)
			e.file("C:/a.txt", "aaa", 0o644)
			e.file("C:/b.txt", "bb", 0o600)
			e.file("C:/c.txt", "c", 0o640)
			_, in := e.prepare(`del C:\*.txt`, 1)
			// The crash came after the first backup was made and during
			// the copy of the second: its temporary file is half written.
			half := *in
			half.Backups = in.Backups[:1]
			if err := e.store.Capture(&half); err != nil {
				t.Fatal(err)
			}
			leftover := filepath.Join(e.store.Dir(), tempName(in.Backups[1].Name))
			if err := os.WriteFile(leftover, []byte("x"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := e.store.Capture(in); err != nil {
				t.Fatal(err)
			}
			e.checkCaptured(in)
			if _, err := os.Lstat(leftover); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("leftover temporary file: %v", err)
			}
			if _, files, err := e.store.Usage(); err != nil || files != 3 {
				t.Errorf("usage: %d files (%v), want 3", files, err)
			}
		})
		t.Run(m.name+"/changed since planned", func(t *testing.T) {
			e := newEnv(t, m.copyOnly)
			e.file("C:/a.txt", "aaa", 0o644)
			_, in := e.prepare(`del C:\a.txt`, 1)
			e.file("C:/a.txt", "longer now", 0o644)
			err := e.store.Capture(in)
			if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), `C:\a.txt`) {
				t.Errorf("err %v, want ErrChanged naming the file", err)
			}
			if _, files, _ := e.store.Usage(); files != 0 {
				t.Errorf("%d files kept", files)
			}
		})
	}
	t.Run("nothing to keep", func(t *testing.T) {
		e := newEnv(t, false)
		_, in := e.prepare(`md C:\x`, 1)
		if err := e.store.Capture(in); err != nil {
			t.Fatal(err)
		}
	})
}

func TestStore_Conflicts(t *testing.T) {
	conflicts := func(t *testing.T, e *env, op *ops.Op, in *ops.Intent, res ops.Result) []string {
		t.Helper()
		cs, err := e.store.Conflicts(op, in, &res)
		if err != nil {
			t.Fatal(err)
		}
		return cs
	}
	mustOne := func(t *testing.T, cs []string, path string) {
		t.Helper()
		if len(cs) != 1 || !strings.HasPrefix(cs[0], path+": ") {
			t.Errorf("conflicts %q, want one for %s", cs, path)
		}
	}
	t.Run("copy destination changed later", func(t *testing.T) {
		e := newEnv(t, false)
		e.file("C:/a.txt", "new", 0o644)
		e.file("C:/b.txt", "old", 0o644)
		op, in, res := e.run(`copy C:\a.txt C:\b.txt`)
		if cs := conflicts(t, e, op, in, res); len(cs) != 0 {
			t.Errorf("conflicts before any change: %q", cs)
		}
		e.file("C:/b.txt", "xyz", 0o644) // same size, other bytes
		mustOne(t, conflicts(t, e, op, in, res), `C:\b.txt`)
	})
	t.Run("deleted file made again", func(t *testing.T) {
		e := newEnv(t, false)
		e.file("C:/a.txt", "a", 0o644)
		op, in, res := e.run(`del C:\a.txt`)
		if cs := conflicts(t, e, op, in, res); len(cs) != 0 {
			t.Errorf("conflicts before any change: %q", cs)
		}
		e.file("C:/a.txt", "again", 0o644)
		mustOne(t, conflicts(t, e, op, in, res), `C:\a.txt`)
	})
	t.Run("moved file changed later", func(t *testing.T) {
		e := newEnv(t, false)
		e.file("C:/a.txt", "a", 0o644)
		op, in, res := e.run(`move C:\a.txt C:\b.txt`)
		if cs := conflicts(t, e, op, in, res); len(cs) != 0 {
			t.Errorf("conflicts before any change: %q", cs)
		}
		e.file("C:/b.txt", "changed", 0o644)
		mustOne(t, conflicts(t, e, op, in, res), `C:\b.txt`)
	})
	t.Run("removed tree made again", func(t *testing.T) {
		e := newEnv(t, false)
		e.file("C:/t/a.txt", "a", 0o644)
		op, in, res := e.run(`rd /s C:\t`)
		e.dir("C:/t", 0o755)
		mustOne(t, conflicts(t, e, op, in, res), `C:\t`)
	})
	t.Run("skipped operation", func(t *testing.T) {
		e := newEnv(t, false)
		e.file("C:/a.txt", "a", 0o644)
		op, in := e.prepare(`copy C:\a.txt C:\b.txt`, 1)
		res := ops.Result{Outcome: ops.Skipped}
		if cs := conflicts(t, e, op, in, res); len(cs) != 0 {
			t.Errorf("conflicts of an untouched tree: %q", cs)
		}
		e.file("C:/b.txt", "b", 0o644)
		mustOne(t, conflicts(t, e, op, in, res), `C:\b.txt`)
	})
	t.Run("failed operation: either state", func(t *testing.T) {
		e := newEnv(t, false)
		e.file("C:/a.txt", "a", 0o644)
		e.file("C:/b.txt", "b", 0o644)
		op, in := e.prepare(`del C:\*.txt`, 1)
		if err := os.Remove(e.host("C:/a.txt")); err != nil {
			t.Fatal(err)
		}
		res := ops.Result{Outcome: ops.Failed, Err: "b.txt: in use"}
		if cs := conflicts(t, e, op, in, res); len(cs) != 0 {
			t.Errorf("conflicts of a half-done delete: %q", cs)
		}
		e.file("C:/b.txt", "other", 0o644)
		mustOne(t, conflicts(t, e, op, in, res), `C:\b.txt`)
	})
}

func TestStore_UsageRemove(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			e := newEnv(t, m.copyOnly)
			e.file("C:/a.txt", "12345", 0o644)
			e.file("C:/b.txt", "123", 0o644)
			_, in1 := e.prepare(`del C:\a.txt`, 1)
			_, in2 := e.prepare(`del C:\*.txt`, 2)
			for _, in := range []*ops.Intent{in1, in2} {
				if err := e.store.Capture(in); err != nil {
					t.Fatal(err)
				}
			}
			bytes, files, err := e.store.Usage()
			if err != nil {
				t.Fatal(err)
			}
			// a.txt is kept twice: as one file when linked.
			wantBytes := int64(8)
			if m.copyOnly {
				wantBytes = 13
			}
			if bytes != wantBytes || files != 3 {
				t.Errorf("usage %d bytes %d files, want %d and 3", bytes, files, wantBytes)
			}
			if b2, f2, err := Usage(e.store.Dir()); err != nil || b2 != bytes || f2 != files {
				t.Errorf("Usage(dir) = %d, %d (%v), want %d, %d", b2, f2, err, bytes, files)
			}
			names := []string{in1.Backups[0].Name, in2.Backups[0].Name, in2.Backups[1].Name, "999-1-0"}
			if err := e.store.Remove(names); err != nil {
				t.Fatal(err)
			}
			if bytes, files, err := e.store.Usage(); err != nil || bytes != 0 || files != 0 {
				t.Errorf("usage after Remove: %d bytes %d files (%v)", bytes, files, err)
			}
			if err := e.store.Remove([]string{"../x"}); !errors.Is(err, ErrBadRecord) {
				t.Errorf("remove of a bad name: %v", err)
			}
		})
	}
}

func TestPlan_Irreversible(t *testing.T) {
	setup := func(e *env) {
		e.file("C:/t/a", "a", 0o644)
		e.file("C:/t/s/b", "b", 0o644)
		e.link("C:/t/s/l", "b")
		e.dir("C:/t/e", 0o755)
	} // 5 entries under t
	t.Run("over the limit", func(t *testing.T) {
		e := newEnv(t, false)
		setup(e)
		op, err := ops.Parse(`rd /s C:\t`)
		if err != nil {
			t.Fatal(err)
		}
		in, err := e.ex.Prepare(op, 1)
		if err != nil {
			t.Fatal(err)
		}
		in.Backups = []ops.Backup{{Prior: pAbsent}} // from an earlier plan
		if err := PlanLimit(e.d, 1, 1, op, in, 4); err != nil {
			t.Fatal(err)
		}
		if in.Backups != nil || !strings.Contains(in.Irreversible, "more than 4 entries") {
			t.Errorf("backups %v, irreversible %q", in.Backups, in.Irreversible)
		}
		if _, err := e.store.Restore(in, nil); !errors.Is(err, ErrIrreversible) {
			t.Errorf("restore: %v, want ErrIrreversible", err)
		}
	})
	t.Run("at the limit", func(t *testing.T) {
		e := newEnv(t, false)
		setup(e)
		op, err := ops.Parse(`rd /s C:\t`)
		if err != nil {
			t.Fatal(err)
		}
		in, err := e.ex.Prepare(op, 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := PlanLimit(e.d, 1, 1, op, in, 5); err != nil {
			t.Fatal(err)
		}
		if len(in.Backups) != 6 || in.Irreversible != "" {
			t.Errorf("%d backups, irreversible %q", len(in.Backups), in.Irreversible)
		}
	})
	t.Run("run", func(t *testing.T) {
		e := newEnv(t, false)
		op := &ops.Op{Kind: ops.KindRun, Argv: []string{"true"}}
		in := &ops.Intent{}
		if err := Plan(e.d, 1, 1, op, in); err != nil || in.Backups != nil {
			t.Errorf("backups %v (%v)", in.Backups, err)
		}
	})
}

func TestUsage_NoFolder(t *testing.T) {
	_, _, err := Usage(filepath.Join(t.TempDir(), "none"))
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err %v, want os.ErrNotExist", err)
	}
}

func TestStore_Plan(t *testing.T) {
	e := newEnv(t, false)
	e.file("C:/a.txt", "a", 0o644)
	op, err := ops.Parse(`del C:\a.txt`)
	if err != nil {
		t.Fatal(err)
	}
	in, err := e.ex.Prepare(op, 9)
	if err != nil {
		t.Fatal(err)
	}
	if err := e.store.Plan(9, 2, op, in); err != nil {
		t.Fatal(err)
	}
	want := []ops.Backup{{Path: ops.Path{Drive: "C", Rel: "a.txt"}, Prior: pFile, Name: "9-2-0", Size: 1,
		Mode: in.Backups[0].Mode, ModTime: in.Backups[0].ModTime}}
	if !slices.Equal(in.Backups, want) || os.FileMode(in.Backups[0].Mode) != 0o644 || !in.Backups[0].ModTime.Equal(baseTime.Add(time.Second)) {
		t.Errorf("backups %+v", in.Backups)
	}
}

func TestName(t *testing.T) {
	if got := Name(7, 2, 13); got != "7-2-13" {
		t.Errorf("Name = %q", got)
	}
	if err := checkName(Name(18446744073709551615, 3, 0)); err != nil {
		t.Error(err)
	}
}

func TestOpen_MakesFolder(t *testing.T) {
	top := t.TempDir()
	d, err := ops.NewDrives(map[string]string{"C": top})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	dir := filepath.Join(top, "a", "b", "backups")
	s, err := Open(dir, d)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fi, err := os.Stat(dir)
	if err != nil || !fi.IsDir() || s.Dir() != dir {
		t.Fatalf("%v %v %s", fi, err, s.Dir())
	}
	if fi.Mode().Perm()&0o077 != 0 {
		t.Errorf("folder mode %v, want no access for others", fi.Mode())
	}
	s2, err := Open(dir, d)
	if err != nil {
		t.Fatalf("open again: %v", err)
	}
	if err := s2.Close(); err != nil {
		t.Error(err)
	}
}

func TestStore_Restore_LeftoverTemp(t *testing.T) {
	for _, m := range modes {
		t.Run(m.name, func(t *testing.T) {
			e := newEnv(t, m.copyOnly)
			e.file("C:/d/a.txt", "a", 0o644)
			before := e.snapshot()
			_, in, _ := e.run(`del C:\d\a.txt`)
			// A crash came while the file was being put back, before the
			// rename: its temporary file is there, half written.
			tmp := e.host("C:/d/" + ".smswork-undo-" + in.Backups[0].Name + ".tmp")
			if err := os.WriteFile(tmp, []byte("half"), 0o600); err != nil {
				t.Fatal(err)
			}
			restoreAndCompare(t, e, in, before, false)
		})
	}
}
