package backup

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"smswork/internal/fsroot"
	"smswork/internal/wintest"
	"smswork/ops"
	"smswork/ops/exec"
)

// baseTime is the modification time of the files a test tree starts with;
// each file gets it plus a few seconds of its own, so that a time put back
// wrong shows.
var baseTime = time.Date(2001, 2, 3, 4, 5, 6, 789000000, time.UTC)

// env is a test world: drives mapped to fresh folders, an executor on
// them, and a backup folder beside them (outside every drive).
type env struct {
	t     *testing.T
	dirs  map[string]string
	d     *fsroot.Drives
	ex    *exec.Executor
	store *Store
	seq   uint64
	files int // files written, for distinct times
}

// newEnv makes an env with drives letters (C when none); copyOnly makes
// the store copy rather than link.
func newEnv(t *testing.T, copyOnly bool, letters ...string) *env {
	t.Helper()
	if len(letters) == 0 {
		letters = []string{"C"}
	}
	top := t.TempDir()
	dirs := map[string]string{}
	for _, l := range letters {
		dir := filepath.Join(top, "drive-"+strings.ToLower(l))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		dirs[l] = dir
	}
	d, err := fsroot.NewDrives(dirs)
	if err != nil {
		t.Fatal(err)
	}
	s, err := Open(filepath.Join(top, "state", "backups"), d)
	if err != nil {
		t.Fatal(err)
	}
	if copyOnly {
		s.ForceCopy()
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Error(err)
		}
		if err := d.Close(); err != nil {
			t.Error(err)
		}
	})
	return &env{t: t, dirs: dirs, d: d, ex: &exec.Executor{Drives: d}, store: s}
}

// host is where DOS-style path "C:/rel" lies.
func (e *env) host(path string) string {
	letter, rel, _ := strings.Cut(path, ":")
	return filepath.Join(e.dirs[letter], filepath.FromSlash(strings.TrimPrefix(rel, "/")))
}

// file writes path ("C:/dir/name") with data and perm, making its folders,
// with a modification time of its own.
func (e *env) file(path, data string, perm os.FileMode) {
	e.t.Helper()
	p := e.host(path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		e.t.Fatal(err)
	}
	if err := os.Chmod(p, perm); err != nil {
		e.t.Fatal(err)
	}
	e.files++
	mt := baseTime.Add(time.Duration(e.files) * time.Second)
	if err := os.Chtimes(p, mt, mt); err != nil {
		e.t.Fatal(err)
	}
}

// dir makes folder path with perm (and its parents).
func (e *env) dir(path string, perm os.FileMode) {
	e.t.Helper()
	p := e.host(path)
	if err := os.MkdirAll(p, 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.Chmod(p, perm); err != nil {
		e.t.Fatal(err)
	}
}

// link makes path a symbolic link to target. Where the system cannot make
// one, the test is skipped, saying why: Wine does not make them as
// Windows does, and Windows makes them only with a privilege (or
// developer mode).
func (e *env) link(path, target string) {
	e.t.Helper()
	if wintest.UnderWine() {
		e.t.Skip("under Wine: symbolic links are not made as Windows makes them")
	}
	p := e.host(path)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		e.t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		if runtime.GOOS == "windows" {
			e.t.Skipf("this Windows account cannot make symbolic links: %v", err)
		}
		e.t.Fatal(err)
	}
}

// prepare parses entry and returns its operation and planned intent.
func (e *env) prepare(entry string, attempt int) (*ops.Op, *ops.Intent) {
	e.t.Helper()
	op, err := ops.Parse(entry)
	if err != nil {
		e.t.Fatalf("parse %q: %v", entry, err)
	}
	e.seq++
	in, err := e.ex.Prepare(op, e.seq)
	if err != nil {
		e.t.Fatalf("prepare %q: %v", entry, err)
	}
	if err := Plan(e.d, e.seq, attempt, op, in); err != nil {
		e.t.Fatalf("plan %q: %v", entry, err)
	}
	return op, in
}

// run prepares, plans, captures and executes entry, checking that each
// PriorFile backup is the file itself (linked) or a copy of it.
func (e *env) run(entry string) (*ops.Op, *ops.Intent, ops.Result) {
	e.t.Helper()
	op, in := e.prepare(entry, 1)
	if err := e.store.Capture(in); err != nil {
		e.t.Fatalf("capture %q: %v", entry, err)
	}
	e.checkCaptured(in)
	res := e.ex.Execute(context.Background(), op, in, nil)
	if res.Outcome == ops.Failed {
		e.t.Fatalf("execute %q: %s", entry, res.Err)
	}
	return op, in, res
}

// checkCaptured checks every PriorFile backup of in against its file:
// the same file when linking, a copy with the same bytes, mode and time
// when copying.
func (e *env) checkCaptured(in *ops.Intent) {
	e.t.Helper()
	for _, b := range in.Backups {
		if b.Prior != ops.PriorFile {
			continue
		}
		orig := e.hostOf(b.Path)
		kept := filepath.Join(e.store.Dir(), b.Name)
		ofi, err1 := os.Lstat(orig)
		kfi, err2 := os.Lstat(kept)
		if err1 != nil || err2 != nil {
			e.t.Fatalf("%s / %s: %v %v", orig, kept, err1, err2)
		}
		if same := os.SameFile(ofi, kfi); same == e.store.copyOnly {
			e.t.Errorf("%s: backup is the same file: %v, want %v", b.Path, same, !e.store.copyOnly)
		}
		if kfi.Mode() != ofi.Mode() || !kfi.ModTime().Equal(ofi.ModTime()) {
			e.t.Errorf("%s: backup mode %v time %v, file %v %v", b.Path, kfi.Mode(), kfi.ModTime(), ofi.Mode(), ofi.ModTime())
		}
		if !bytes.Equal(mustRead(e.t, orig), mustRead(e.t, kept)) {
			e.t.Errorf("%s: backup holds other bytes", b.Path)
		}
	}
}

func (e *env) hostOf(p ops.Path) string {
	return filepath.Join(e.dirs[p.Drive], filepath.FromSlash(p.Rel))
}

func mustRead(t *testing.T, p string) []byte {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sha(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// entry is what a snapshot records of one path.
type entry struct {
	typ  string // file, dir, link, other
	perm os.FileMode
	data string
	mod  time.Time // files only
	link string
}

func (en entry) String() string {
	return fmt.Sprintf("%s %v %q %s %q", en.typ, en.perm, en.data, en.mod.Format(time.RFC3339Nano), en.link)
}

// snapshot records every path of every drive: type, permission bits,
// content and modification time of files, link targets.
func (e *env) snapshot() map[string]entry {
	e.t.Helper()
	snap := map[string]entry{}
	for letter, dir := range e.dirs {
		err := filepath.WalkDir(dir, func(p string, de fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if p == dir {
				return nil
			}
			fi, err := os.Lstat(p)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			en := entry{perm: fi.Mode() & (os.ModePerm | os.ModeSetuid | os.ModeSetgid | os.ModeSticky)}
			switch {
			case fi.Mode().IsRegular():
				b, err := os.ReadFile(p)
				if err != nil {
					return err
				}
				en.typ, en.data, en.mod = "file", string(b), fi.ModTime()
			case fi.IsDir():
				en.typ = "dir"
			case fi.Mode()&os.ModeSymlink != 0:
				en.typ, en.perm = "link", 0
				if en.link, err = os.Readlink(p); err != nil {
					return err
				}
			default:
				en.typ = "other"
			}
			snap[letter+":"+filepath.ToSlash(rel)] = en
			return nil
		})
		if err != nil {
			e.t.Fatal(err)
		}
	}
	return snap
}

// diff lists how two snapshots differ ("" when they are equal).
func diff(want, got map[string]entry) string {
	var out []string
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("%s: missing (want %v)", k, w))
		case g.typ != w.typ || g.perm != w.perm || g.data != w.data || !g.mod.Equal(w.mod) || g.link != w.link:
			out = append(out, fmt.Sprintf("%s: got %v, want %v", k, g, w))
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok {
			out = append(out, fmt.Sprintf("%s: unexpected %v", k, g))
		}
	}
	sort.Strings(out)
	return strings.Join(out, "\n")
}

// priorKinds lists the Prior of each backup.
func priorKinds(in *ops.Intent) []ops.PriorKind {
	var ks []ops.PriorKind
	for _, b := range in.Backups {
		ks = append(ks, b.Prior)
	}
	return ks
}

// modes are the two ways the store keeps and puts back files.
var modes = []struct {
	name     string
	copyOnly bool
}{{"link", false}, {"copy", true}}
