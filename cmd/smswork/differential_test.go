package main

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"testing"
	"time"

	"smswork/internal/ntfstest"
)

// The differential test runs each entry of the corpus (differential_corpus_test.go)
// twice on twin trees: by the real smswork binary, as PendingWork, and by
// Wine's cmd.exe, as a batch file (`wine cmd /c X:\n.bat`), an
// implementation of the DOS built-ins nobody here wrote. The trees must
// then hold the same names (case included), bytes and read-only bits. An
// entry marked with a row of the README's table of deliberate differences
// must instead leave them different (so that the table stays true); that
// row has a test of its own, which says what smswork does.
//
// Both runs see drive S: the smswork run through --drive S=TREE, Wine
// through a symlink $WINEPREFIX/dosdevices/s: -> TREE in a prefix of the
// test's own, made once with `wineboot -i` and shared by the corpus.

// WineRequireEnv, set to 1 (CI sets it), makes a machine without Wine a
// failure of the differential test instead of a skip.
const WineRequireEnv = "SMSWORK_REQUIRE_WINE"

// wine is a Wine prefix of the test's own, its server kept running.
type wine struct {
	t      *testing.T
	prefix string
	bat    string // folder of the batch files: drive T:
}

// newWine makes the prefix (wineboot -i), maps T: onto a folder for the
// batch files, and keeps the prefix's wineserver running until the test
// ends.
func newWine(t *testing.T) *wine {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("Wine's cmd.exe is run from Linux")
	}
	if _, err := exec.LookPath("wine"); err != nil {
		if os.Getenv(WineRequireEnv) == "1" {
			t.Fatalf("%s=1 but wine is not installed (shared/tools/wine-go/setup installs it)", WineRequireEnv)
		}
		t.Skipf("wine is not installed; CI runs this with %s=1", WineRequireEnv)
	}
	dir := t.TempDir()
	w := &wine{t: t, prefix: filepath.Join(dir, "prefix"), bat: filepath.Join(dir, "bat")}
	for _, d := range []string{w.bat, w.prefix} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	// One server for the whole corpus, started first and persistent, so
	// that each cmd.exe starts in a fraction of a second. (No pipes: the
	// server would hold them open.)
	if err := w.command(ctx, "wineserver", "-p").Run(); err != nil {
		t.Fatalf("wineserver -p: %v", err)
	}
	if out, err := w.output(w.command(ctx, "wineboot", "-i")); err != nil {
		t.Fatalf("wineboot -i: %v\n%s", err, out)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = w.command(ctx, "wineserver", "-k").Run()
		_ = w.command(ctx, "wineserver", "-w").Run()
	})
	w.mapDrive("t", w.bat)
	return w
}

func (w *wine) command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), "WINEPREFIX="+w.prefix, "WINEDEBUG=-all", "WINEDLLOVERRIDES=mscoree,mshtml=")
	return cmd
}

// mapDrive points drive letter at dir.
func (w *wine) mapDrive(letter, dir string) {
	w.t.Helper()
	link := filepath.Join(w.prefix, "dosdevices", letter+":")
	_ = os.Remove(link)
	if err := os.Symlink(dir, link); err != nil {
		w.t.Fatal(err)
	}
}

// ranMarker is the line each batch file echoes after its entry, so that a
// cmd.exe that never ran the batch (a Wine start-up that failed, which
// leaves no output and an untouched tree) is told from a cmd.exe that ran
// the entry and changed nothing.
const ranMarker = "smswork-differential: batch ran to its end"

// run runs entry as the one line of a batch file, with drive S: mapped
// onto tree, and returns cmd.exe's output; ran says whether cmd.exe got to
// the end of the batch file (its marker line is in the output), and err is
// how the wine process ended.
func (w *wine) run(n int, entry, tree string) (out string, ran bool, err error) {
	w.t.Helper()
	w.mapDrive("s", tree)
	name := fmt.Sprintf("e%d.bat", n)
	if err := os.WriteFile(filepath.Join(w.bat, name), []byte("@echo off\r\n"+entry+"\r\necho "+ranMarker+"\r\n"), 0o644); err != nil {
		w.t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := w.command(ctx, "wine", "cmd", "/c", `t:\`+name)
	// Its current folder is the batch files' (what an entry cmd.exe reads
	// as relative lands there, never in the source tree).
	cmd.Dir = w.bat
	// Whatever cmd.exe asks (Overwrite? Are you sure?) is answered No:
	// at boot nobody answers, and smswork never asks.
	cmd.Stdin = strings.NewReader(strings.Repeat("n\r\n", 8))
	out, err = w.output(cmd)
	if ctx.Err() != nil {
		w.t.Fatalf("wine cmd /c %s: %v (timed out)\n%s", entry, err, out)
	}
	ran = strings.Contains(out, ranMarker)
	out = strings.ReplaceAll(out, ranMarker, "")
	return out, ran, err
}

// runCmd runs entry through cmd.exe on tree, made from c's spec. A Wine
// that did not run the batch file at all (no marker) is an accident of
// the machine, not an answer of cmd.exe: the tree is made afresh and the
// batch run again, up to three times, each accident logged; a cmd.exe
// that never runs it fails the test.
func (w *wine) runCmd(t *testing.T, n int, c diffCase, tree string) string {
	t.Helper()
	for attempt := 1; ; attempt++ {
		out, ran, err := w.run(n, c.entry, tree)
		if ran {
			return out
		}
		if attempt == 3 {
			t.Fatalf("%s: wine cmd /c never ran the batch file (%d tries; last: %v)\n%s", c.entry, attempt, err, out)
		}
		t.Logf("%s: wine cmd /c did not run the batch file (%v; output %q): tree made afresh, run again", c.entry, err, out)
		if err := os.RemoveAll(tree); err != nil {
			t.Fatal(err)
		}
		makeTree(t, tree, c.tree(), c.readOnly())
	}
}

// output runs cmd with its output going to a file, not a pipe: the Wine
// processes it starts (services, devices) outlive it and would hold a
// pipe open.
func (w *wine) output(cmd *exec.Cmd) (string, error) {
	w.t.Helper()
	f, err := os.CreateTemp(w.bat, "out-*")
	if err != nil {
		w.t.Fatal(err)
	}
	defer os.Remove(f.Name())
	defer f.Close()
	cmd.Stdout, cmd.Stderr = f, f
	err = cmd.Run()
	b, rerr := os.ReadFile(f.Name())
	if rerr != nil {
		w.t.Fatal(rerr)
	}
	return string(b), err
}

// node is one entry of a tree: a folder, or a file's bytes and whether it
// is read-only (no write permission, which is what Wine shows as the
// read-only attribute).
type node struct {
	dir  bool
	data string
	ro   bool
}

func (n node) String() string {
	switch {
	case n.dir:
		return "<folder>"
	case n.ro:
		return fmt.Sprintf("%q (read-only)", n.data)
	}
	return fmt.Sprintf("%q", n.data)
}

// readTree reads every entry under root, by its exact name.
func readTree(t *testing.T, root string) map[string]node {
	t.Helper()
	out := map[string]node{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if rel == "." {
			return nil
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			out[rel] = node{dir: true}
			return nil
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		out[rel] = node{data: string(b), ro: fi.Mode().Perm()&0o222 == 0}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// treeDiff lists how b differs from a, one line a path.
func treeDiff(a, b map[string]node) []string {
	var out []string
	for p, n := range a {
		if m, ok := b[p]; !ok {
			out = append(out, fmt.Sprintf("%s: smswork %s, cmd.exe none", p, n))
		} else if m != n {
			out = append(out, fmt.Sprintf("%s: smswork %s, cmd.exe %s", p, n, m))
		}
	}
	for p, m := range b {
		if _, ok := a[p]; !ok {
			out = append(out, fmt.Sprintf("%s: smswork none, cmd.exe %s", p, m))
		}
	}
	sort.Strings(out)
	return out
}

// makeTree writes spec under root: a name ending in "/" is a folder, any
// other a file with those bytes; the names in ro are made read-only.
func makeTree(t *testing.T, root string, spec map[string]string, ro []string) {
	t.Helper()
	stamp := time.Date(2020, 1, 2, 3, 4, 6, 0, time.UTC)
	for rel, data := range spec {
		p := filepath.Join(root, filepath.FromSlash(strings.TrimSuffix(rel, "/")))
		if strings.HasSuffix(rel, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, stamp, stamp); err != nil {
			t.Fatal(err)
		}
	}
	for _, rel := range ro {
		if err := os.Chmod(filepath.Join(root, filepath.FromSlash(rel)), 0o444); err != nil {
			t.Fatal(err)
		}
	}
}

// runSmswork runs entry as the whole of PendingWork, with drive S mapped
// onto tree; SMS.INI and the journal lie outside the tree.
func runSmswork(t *testing.T, entry, tree string) (int, string) {
	t.Helper()
	state := t.TempDir()
	ini := filepath.Join(state, "SMS.INI")
	if err := os.WriteFile(ini, []byte("[SMS Work]\r\nPendingWork="+entry+"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, "--ini", ini, "--journal", filepath.Join(state, "journal"), "--drive", "S="+tree, "--log-format", "json", "run")
	out, err := cmd.CombinedOutput()
	if err != nil {
		if _, ok := err.(*exec.ExitError); !ok {
			t.Fatal(err)
		}
	}
	return cmd.ProcessState.ExitCode(), string(out)
}

// TestDifferential_CmdExe runs the corpus against Wine's cmd.exe.
func TestDifferential_CmdExe(t *testing.T) {
	corpus := differentialCorpus()
	if len(corpus) < 60 {
		t.Fatalf("the corpus has %d entries, want at least 60", len(corpus))
	}
	rows := differenceRows(t)
	for _, c := range corpus {
		if c.differs != "" && rows[c.differs] == "" {
			t.Errorf("%s: marked with difference %q, which the README's table does not list", c.name, c.differs)
		}
	}
	w := newWine(t)
	base := t.TempDir()
	var vol *ntfstest.Volume
	for i, c := range corpus {
		t.Run(c.name, func(t *testing.T) {
			sms, cmdTree := filepath.Join(base, fmt.Sprintf("%d-smswork", i)), filepath.Join(base, fmt.Sprintf("%d-cmd", i))
			if c.ntfs {
				if vol == nil {
					vol = ntfstest.Mount(t, "umask=022")
				}
				sms = filepath.Join(vol.Dir, fmt.Sprintf("%d-smswork", i))
			}
			for _, root := range []string{sms, cmdTree} {
				makeTree(t, root, c.tree(), c.readOnly())
			}
			if c.ntfs {
				setShortNames(t, sms, diffShortNames)
			}
			code, smsOut := runSmswork(t, c.entry, sms)
			cmdOut := w.runCmd(t, i, c, cmdTree)
			diff := treeDiff(readTree(t, sms), readTree(t, cmdTree))
			switch {
			case c.differs == "" && code != c.exit:
				t.Errorf("%s: smswork exit %d, want %d\n%.2000s", c.entry, code, c.exit, smsOut)
			case c.differs == "" && len(diff) > 0:
				t.Errorf("%s\nsmswork (exit %d) and cmd.exe leave different trees:\n  %s\ncmd.exe said: %s\nsmswork said: %.2000s",
					c.entry, code, strings.Join(diff, "\n  "), strings.TrimSpace(cmdOut), smsOut)
			case c.differs != "" && len(diff) == 0:
				t.Errorf("%s\nis listed as difference %s (%s), but smswork and cmd.exe now leave the same tree: update the README's table",
					c.entry, c.differs, rows[c.differs])
			}
		})
	}
}

// differenceRows reads the table of deliberate differences from the
// README: its rows by their id (D1, D2, ...), each with its text.
func differenceRows(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{}
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "### Deliberate differences from cmd.exe") {
			in = true
			continue
		}
		if in && strings.HasPrefix(line, "#") {
			break
		}
		if !in || !strings.HasPrefix(line, "| D") {
			continue
		}
		cells := strings.Split(line, "|")
		if len(cells) > 2 {
			rows[strings.TrimSpace(cells[1])] = strings.TrimSpace(cells[2])
		}
	}
	if len(rows) == 0 {
		t.Fatal(`README.md has no "### Deliberate differences from cmd.exe" table`)
	}
	return rows
}

// TestDifferences_EachHasATest: every row of the README's table of
// deliberate differences has a test of its own, TestDifference_<id>_...
func TestDifferences_EachHasATest(t *testing.T) {
	rows := differenceRows(t)
	files, err := filepath.Glob("*_test.go")
	if err != nil {
		t.Fatal(err)
	}
	var src strings.Builder
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		src.Write(b)
	}
	for id, text := range rows {
		if !strings.Contains(src.String(), "func TestDifference_"+id+"_") {
			t.Errorf("difference %s (%s) has no TestDifference_%s_... of its own", id, text, id)
		}
	}
}
