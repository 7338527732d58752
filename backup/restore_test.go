package backup

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

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
			e.file("C:/dst/one.txt", "old one", 0o604) // read-only would be refused, as cmd.exe refuses it
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
		name: "del with a wildcard and a read-only file",
		setup: func(e *env) {
			e.file("C:/d/x.txt", "x", 0o644)
			e.file("C:/d/y.txt", "y", 0o444)
			e.file("C:/d/z.log", "z", 0o644)
		},
		entry: `del /f C:\d\*.txt`,
		kinds: []ops.PriorKind{pFile, pFile},
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
			e.file("C:/tree/b/e/deep.txt", "deep", 0o640)
			e.dir("C:/tree/b/e", 0o700)
			e.link("C:/tree/lf", "a.txt")
			e.link("C:/tree/ld", "b")
			e.link("C:/tree/b/dangling", "../nowhere")
			e.dir("C:/tree/b/f", 0o555) // empty: rd /s of a non-empty one needs root
			e.dir("C:/tree/b", 0o750)
			e.dir("C:/tree", 0o711)
		},
		entry: `rd /s /q C:\tree`,
		check: checkPostOrder(map[ops.PriorKind]int{pFile: 4, pLink: 3, pDir: 4}),
	}, {
		name: "rd /s of a tree of files and folders",
		setup: func(e *env) {
			e.file("C:/tree/a.txt", "a", 0o644)
			e.file("C:/tree/ro.txt", "read-only", 0o444)
			e.file("C:/tree/b/c.txt", "c", 0o600)
			e.dir("C:/tree/b/e", 0o700)
		},
		entry: `rd /s /q C:\tree`,
		check: checkPostOrder(map[ops.PriorKind]int{pFile: 3, pDir: 3}),
	}}
}

// checkPostOrder checks the backups of an rd /s: every entry once (want
// of each kind), each folder after everything under it, the folder itself
// last.
func checkPostOrder(want map[ops.PriorKind]int) func(t *testing.T, in *ops.Intent) {
	return func(t *testing.T, in *ops.Intent) {
		t.Helper()
		postOrder(t, in, want)
	}
}

func postOrder(t *testing.T, in *ops.Intent, want map[ops.PriorKind]int) {
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
