package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The hand-off of files in use to Session Manager, end to end under Wine:
// smswork.exe (built here for Windows) and a holder program that keeps a
// file open as a loaded DLL is held (GENERIC_READ, FILE_SHARE_READ), in a
// Wine prefix of the test's own whose server stays up, so that no boot
// happens but the one the test asks for: `wine wineboot -r`, which performs
// PendingFileRenameOperations as smss does at boot. smswork.exe reads the
// value back itself (status --json, through golang.org/x/sys/windows/registry).
//
// Wine hands a Windows exit status to Linux modulo 256: 3010 arrives as 194
// (the run's status file, read back by status --json, and a batch file's
// %ERRORLEVEL% show the 3010 itself).

// rebootExit is exit status 3010 as Linux sees a Wine process end with it.
const rebootExit = exitReboot & 0xff

// winBox is drive S: of the Wine prefix, a tree of the test's own, with
// SMS.INI and the journal at its root.
type winBox struct {
	t      *testing.T
	w      *wine
	exe    string // smswork.exe, in the folder of drive T:
	holder string // holder.exe, in T:
	tree   string
}

// winExes builds smswork.exe (with the Wine overlay of .ci/run's
// windows_tests: Wine 8 answers STATUS_NOT_IMPLEMENTED where Go expects
// STATUS_NOT_SUPPORTED) and the holder into dir.
func winExes(t *testing.T, dir string) {
	t.Helper()
	goroot, err := exec.Command("go", "env", "GOROOT").Output()
	if err != nil {
		t.Fatalf("go env GOROOT: %v", err)
	}
	at := filepath.Join(strings.TrimSpace(string(goroot)), "src", "internal", "syscall", "windows", "at_windows.go")
	src, err := os.ReadFile(at)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`(?m)^(\t\tSTATUS_NOT_SUPPORTED):( *// the file system)`)
	patched := re.ReplaceAll(src, []byte("$1, NTStatus(0xC0000002):$2"))
	var overlay []string
	if string(patched) != string(src) {
		p := filepath.Join(dir, "at_windows.go")
		if err := os.WriteFile(p, patched, 0o644); err != nil {
			t.Fatal(err)
		}
		ov, _ := json.Marshal(map[string]map[string]string{"Replace": {at: p}})
		if err := os.WriteFile(filepath.Join(dir, "overlay.json"), ov, 0o644); err != nil {
			t.Fatal(err)
		}
		overlay = []string{"-overlay", filepath.Join(dir, "overlay.json")}
	}
	for _, b := range []struct{ out, pkg string }{{"smswork.exe", "."}, {"holder.exe", "./testdata/holder"}} {
		args := append([]string{"build"}, overlay...)
		args = append(args, "-o", filepath.Join(dir, b.out), b.pkg)
		cmd := exec.Command("go", args...)
		cmd.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go build %s: %v\n%s", b.pkg, err, out)
		}
	}
}

// newWinPrefix is a Wine prefix with smswork.exe and the holder on T:,
// and the bcryptprimitives shim Go binaries need (shared/tools/wine-go's
// setup puts it in the default prefix).
func newWinPrefix(t *testing.T) (*wine, string) {
	t.Helper()
	w := newWine(t)
	shim := filepath.Join(os.Getenv("HOME"), ".wine", "drive_c", "windows", "system32", "bcryptprimitives.dll")
	data, err := os.ReadFile(shim)
	if err != nil {
		t.Fatalf("the wine-go shim (shared/tools/wine-go/setup makes it): %v", err)
	}
	if err := os.WriteFile(filepath.Join(w.prefix, "drive_c", "windows", "system32", "bcryptprimitives.dll"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	winExes(t, w.bat)
	return w, w.bat
}

// newWinBox maps S: onto a fresh tree holding files (path -> content)
// and SMS.INI with entries.
func newWinBox(t *testing.T, w *wine, entries string, files map[string]string) *winBox {
	t.Helper()
	b := &winBox{t: t, w: w, exe: `t:\smswork.exe`, holder: `t:\holder.exe`, tree: t.TempDir()}
	files["SMS.INI"] = "[SMS Work]\r\nPendingWork=" + entries + "\r\n"
	for rel, data := range files {
		p := filepath.Join(b.tree, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w.mapDrive("s", b.tree)
	return b
}

func (b *winBox) command(ctx context.Context, env []string, name string, args ...string) *exec.Cmd {
	cmd := b.w.command(ctx, name, args...)
	cmd.Env = append(cmd.Env, "WINEDLLOVERRIDES=bcryptprimitives=n;mscoree,mshtml=")
	cmd.Env = append(cmd.Env, env...)
	cmd.Dir = b.w.bat
	return cmd
}

// smswork runs smswork.exe with args (SMS.INI on S:) and returns its exit
// status as Linux sees it and its output.
func (b *winBox) smswork(env []string, args ...string) (int, string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	args = append([]string{b.exe, "--ini", `S:\SMS.INI`}, args...)
	out, err := b.w.output(b.command(ctx, env, "wine", args...))
	if ctx.Err() != nil {
		b.t.Fatalf("smswork %v: timed out\n%s", args, out)
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode(), out
	}
	if err != nil {
		b.t.Fatalf("smswork %v: %v", args, err)
	}
	return 0, out
}

// mustRun runs smswork run and wants exit status code.
func (b *winBox) mustRun(code int, env ...string) string {
	b.t.Helper()
	got, out := b.smswork(env, "run")
	if got != code {
		b.t.Fatalf("run: exit %d, want %d\n%s", got, code, out)
	}
	return out
}

// winStatus is what the test reads of status --json.
type winStatus struct {
	State string `json:"state"`
	Run   *struct {
		Exit *int `json:"exit"`
	} `json:"run"`
	Reboot         []json.RawMessage `json:"reboot"`
	PendingRenames []struct {
		Source  string `json:"source"`
		Target  string `json:"target"`
		Delete  bool   `json:"delete"`
		Replace bool   `json:"replace"`
		Ours    bool   `json:"ours"`
	} `json:"pendingRenames"`
	PendingRenamesError string `json:"pendingRenamesError"`
}

func (b *winBox) status() winStatus {
	b.t.Helper()
	_, out := b.smswork(nil, "status", "--json")
	var st winStatus
	line, _, _ := strings.Cut(out, "\n")
	if err := json.Unmarshal([]byte(line), &st); err != nil {
		b.t.Fatalf("status --json: %v\n%s", err, out)
	}
	if st.PendingRenamesError != "" {
		b.t.Fatalf("status could not read PendingFileRenameOperations: %s", st.PendingRenamesError)
	}
	return st
}

// wantPairs checks that Session Manager holds exactly n pairs, all ours.
func (b *winBox) wantPairs(n int) winStatus {
	b.t.Helper()
	st := b.status()
	if len(st.PendingRenames) != n {
		b.t.Fatalf("%d renames pending for the boot, want %d: %+v", len(st.PendingRenames), n, st.PendingRenames)
	}
	for _, p := range st.PendingRenames {
		if !p.Ours {
			b.t.Fatalf("a pending rename not marked ours: %+v", p)
		}
	}
	return st
}

// winRecord is what the test reads of an audit record.
type winRecord struct {
	Seq     uint64 `json:"seq"`
	Outcome string `json:"outcome"`
	Result  struct {
		Replaced []string `json:"replaced"`
	} `json:"result"`
}

// history returns the audit records, oldest first.
func (b *winBox) history() []winRecord {
	b.t.Helper()
	code, out := b.smswork(nil, "history", "--json", "--oldest-first")
	if code != 0 {
		b.t.Fatalf("history: exit %d\n%s", code, out)
	}
	var recs []winRecord
	for _, line := range strings.Split(strings.TrimSpace(out), "\n") {
		var rec winRecord
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			b.t.Fatalf("history line %q: %v", line, err)
		}
		recs = append(recs, rec)
	}
	return recs
}

// holder is a running holder.exe.
type holder struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// hold starts holder.exe holding the files (Windows paths) and returns
// once they are open.
func (b *winBox) hold(paths ...string) *holder {
	b.t.Helper()
	cmd := b.command(context.Background(), nil, "wine", append([]string{b.holder}, paths...)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	h := &holder{cmd: cmd, stdin: stdin}
	b.t.Cleanup(h.release)
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if strings.TrimSpace(line) != "held" {
		h.release()
		b.t.Fatalf("holder: %q %v %s", line, err, stderr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return h
}

// release lets the files go and waits for the holder to end.
func (h *holder) release() {
	if h.stdin == nil {
		return
	}
	_ = h.stdin.Close()
	h.stdin = nil
	_ = h.cmd.Wait()
}

// reboot is what smss does at boot: wineboot -r performs the pending
// renames and deletes, then clears the value.
func (b *winBox) reboot() {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := b.w.output(b.command(ctx, nil, "wineboot", "-r")); err != nil {
		b.t.Fatalf("wineboot -r: %v\n%s", err, out)
	}
}

// clearPending deletes PendingFileRenameOperations, as someone might by hand.
func (b *winBox) clearPending() {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := b.w.output(b.command(ctx, nil, "wine", "reg", "delete", `HKLM\System\CurrentControlSet\Control\Session Manager`, "/v", "PendingFileRenameOperations", "/f")); err != nil {
		b.t.Fatalf("reg delete: %v\n%s", err, out)
	}
}

// read returns a file's content, "<absent>" or "<folder>".
func (b *winBox) read(rel string) string {
	p := filepath.Join(b.tree, filepath.FromSlash(rel))
	if fi, err := os.Stat(p); err == nil && fi.IsDir() {
		return "<folder>"
	}
	data, err := os.ReadFile(p)
	if os.IsNotExist(err) {
		return "<absent>"
	}
	if err != nil {
		b.t.Fatal(err)
	}
	return string(data)
}

// folder lists a folder of the tree.
func (b *winBox) folder(rel string) []string {
	es, err := os.ReadDir(filepath.Join(b.tree, filepath.FromSlash(rel)))
	if err != nil {
		b.t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

const (
	winDLL     = `S:\windows\system\netapi.dll`
	winKB      = `copy s:\temp\netapi.dll s:\windows\system\netapi.dll, del s:\temp\netapi.dll, md s:\after`
	winOld     = "old DLL"
	winNew     = "new DLL"
	winDLLRel  = "windows/system/netapi.dll"
	winTempRel = "temp/netapi.dll"
)

func winKBFiles() map[string]string {
	return map[string]string{winDLLRel: winOld, winTempRel: winNew}
}

// TestWine_RebootHandoff runs the cases of issue 14 under Wine, in one
// prefix: the KB article's pair with the DLL in use, a del of a file in
// use, the value cleared by hand, and a crash at each step of the hand-off.
func TestWine_RebootHandoff(t *testing.T) {
	if testing.Short() {
		t.Skip("builds smswork.exe and runs Wine: the README's test command (no -short) runs it")
	}
	w, _ := newWinPrefix(t)

	t.Run("KB pair with the DLL in use", func(t *testing.T) {
		b := newWinBox(t, w, winKB, winKBFiles())
		h := b.hold(winDLL)
		code, out := b.smswork(nil, "plan")
		if code != rebootExit || !strings.Contains(out, "is in use now: run hands it to Session Manager") || !strings.Contains(out, "waits for the reboot: run stops here") {
			t.Errorf("plan before the run: exit %d\n%s", code, out)
		}
		out = b.mustRun(rebootExit)
		if !strings.Contains(out, "reboot needed to finish 1 operation") || !strings.Contains(out, "reboot-pending") {
			t.Errorf("run does not say a reboot is needed:\n%s", out)
		}
		if got := b.read(winDLLRel); got != winOld {
			t.Fatalf("the DLL in use holds %q", got)
		}
		st := b.wantPairs(1)
		p := st.PendingRenames[0]
		if !p.Replace || !strings.EqualFold(p.Target, winDLL) || !strings.HasPrefix(strings.ToLower(p.Source), `s:\windows\system\.smswork-`) {
			t.Fatalf("registered pair %+v", p)
		}
		if b.read(winTempRel) != winNew || b.read("after") != "<absent>" {
			t.Fatal("the queue went past the waiting copy")
		}
		if st.State != "reboot" || st.Run == nil || st.Run.Exit == nil || *st.Run.Exit != exitReboot || len(st.Reboot) != 1 {
			t.Fatalf("status: state %q, run %+v, %d waiting", st.State, st.Run, len(st.Reboot))
		}
		if code, out := b.smswork(nil, "plan"); code != rebootExit || !strings.Contains(out, "is replaced by its staged copy") {
			t.Errorf("plan after the run: exit %d\n%s", code, out)
		}
		code, text := b.smswork(nil, "status")
		if code != rebootExit || !strings.Contains(text, "reboot needed to finish 1 operation") || !strings.Contains(text, "(ours, #1)") {
			t.Errorf("status: exit %d\n%s", code, text)
		}

		// Started again before the reboot, from a batch file, whose
		// %ERRORLEVEL% is the whole exit status.
		bat := "@" + b.exe + ` --ini S:\SMS.INI run` + "\r\n@echo exit=%ERRORLEVEL%\r\n"
		if err := os.WriteFile(filepath.Join(w.bat, "again.bat"), []byte(bat), 0o644); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		out, _ = w.output(b.command(ctx, nil, "wine", "cmd", "/c", `t:\again.bat`))
		cancel()
		if !strings.Contains(out, "exit=3010") {
			t.Fatalf("a run before the reboot does not exit 3010:\n%s", out)
		}
		b.wantPairs(1) // not registered twice

		h.release()
		b.reboot()
		b.mustRun(exitOK)
		if got := b.read(winDLLRel); got != winNew {
			t.Fatalf("after the reboot the DLL holds %q", got)
		}
		if b.read(winTempRel) != "<absent>" || b.read("after") == "<absent>" {
			t.Fatal("the rest of the queue did not run after the reboot")
		}
		if got := b.folder("windows/system"); len(got) != 1 {
			t.Fatalf("left beside the DLL: %v", got)
		}
		if got := b.read("SMS.INI"); !strings.Contains(got, "PendingWork=\r\n") {
			t.Fatalf("SMS.INI after the reboot:\n%s", got)
		}
		if st := b.wantPairs(0); st.State != "ok" {
			t.Fatalf("status after the reboot: %s", st.State)
		}
		var outcomes []string
		replaced := ""
		for _, rec := range b.history() {
			outcomes = append(outcomes, fmt.Sprintf("%d:%s", rec.Seq, rec.Outcome))
			if rec.Seq == 1 && rec.Outcome == "done" {
				replaced = strings.Join(rec.Result.Replaced, "; ")
			}
		}
		if want := "1:reboot-pending 1:done 2:done 3:done"; strings.Join(outcomes, " ") != want {
			t.Errorf("history %q, want %q", strings.Join(outcomes, " "), want)
		}
		if !strings.Contains(replaced, "replaced at boot by Session Manager") {
			t.Errorf("the copy's audit record says %q", replaced)
		}
		if code, out := b.smswork(nil, "verify", "--files"); code != 0 {
			t.Errorf("verify --files: exit %d\n%s", code, out)
		}
	})

	t.Run("del of a file in use", func(t *testing.T) {
		b := newWinBox(t, w, `del s:\old.dll, md s:\after`, map[string]string{"old.dll": winOld})
		h := b.hold(`S:\old.dll`)
		b.mustRun(rebootExit)
		if b.read("old.dll") != winOld {
			t.Fatal("the file in use was touched")
		}
		if st := b.wantPairs(1); !st.PendingRenames[0].Delete {
			t.Fatalf("not a delete: %+v", st.PendingRenames[0])
		}
		h.release()
		b.reboot()
		b.mustRun(exitOK)
		if b.read("old.dll") != "<absent>" || b.read("after") == "<absent>" {
			t.Fatal("the file is still there, or the queue did not go on")
		}
		b.wantPairs(0)
	})

	t.Run("move onto a file in use", func(t *testing.T) {
		b := newWinBox(t, w, `move s:\temp\netapi.dll s:\windows\system\netapi.dll`, winKBFiles())
		h := b.hold(winDLL)
		b.mustRun(rebootExit)
		if b.read(winDLLRel) != winOld || b.read(winTempRel) != "<absent>" || len(b.folder("windows/system")) != 2 {
			t.Fatalf("DLL %q, source %q, folder %v: want the DLL untouched and the source staged beside it",
				b.read(winDLLRel), b.read(winTempRel), b.folder("windows/system"))
		}
		b.wantPairs(1)
		h.release()
		b.reboot()
		b.mustRun(exitOK)
		if b.read(winDLLRel) != winNew || len(b.folder("windows/system")) != 1 {
			t.Fatalf("DLL %q, folder %v", b.read(winDLLRel), b.folder("windows/system"))
		}
		b.wantPairs(0)
	})

	t.Run("in use, --in-use=fail", func(t *testing.T) {
		b := newWinBox(t, w, winKB, winKBFiles())
		h := b.hold(winDLL)
		code, out := b.smswork(nil, "run", "--in-use=fail")
		if code != exitFailed || !strings.Contains(out, "in use by another program") {
			t.Fatalf("run --in-use=fail: exit %d\n%s", code, out)
		}
		b.wantPairs(0)
		if len(b.folder("windows/system")) != 1 || b.read(winTempRel) != winNew {
			t.Fatal("--in-use=fail staged a file or went on")
		}
		h.release()
	})

	t.Run("value cleared by hand", func(t *testing.T) {
		b := newWinBox(t, w, winKB, winKBFiles())
		h := b.hold(winDLL)
		b.mustRun(rebootExit)
		b.clearPending()
		b.mustRun(rebootExit) // registered again, once
		b.wantPairs(1)
		b.clearPending()
		out := b.mustRun(exitFailed)
		if !strings.Contains(out, "not replaced at boot by Session Manager") || !strings.Contains(out, "new bytes are kept in") {
			t.Errorf("the failure does not say what happened:\n%s", out)
		}
		b.wantPairs(0)
		names := b.folder("windows/system")
		if len(names) != 2 || b.read(winDLLRel) != winOld {
			t.Fatalf("folder %v, DLL %q: want the DLL untouched and the staged file kept", names, b.read(winDLLRel))
		}
		for _, n := range names {
			if n != "netapi.dll" && b.read("windows/system/"+n) != winNew {
				t.Errorf("staged file %s holds %q", n, b.read("windows/system/"+n))
			}
		}
		if b.read(winTempRel) != winNew {
			t.Error("the del after the failed copy ran")
		}
		h.release()
	})

	for _, point := range []string{"handoff.after-stage", "handoff.before-register", "handoff.after-register", "handoff.after-record"} {
		t.Run("crash at "+point, func(t *testing.T) {
			b := newWinBox(t, w, winKB, winKBFiles())
			h := b.hold(winDLL)
			b.mustRun(137, "SMSWORK_FAILPOINT="+point) // TerminateProcess(137)
			if st := b.status(); len(st.PendingRenames) > 1 {
				t.Fatalf("%d pairs after the crash", len(st.PendingRenames))
			}
			// Started again before the reboot: one pair, whatever the
			// crash left.
			b.mustRun(rebootExit)
			b.wantPairs(1)
			h.release()
			b.reboot()
			b.mustRun(exitOK)
			if got := b.read(winDLLRel); got != winNew {
				t.Fatalf("the DLL holds %q", got)
			}
			if got := b.folder("windows/system"); len(got) != 1 {
				t.Fatalf("left beside the DLL: %v", got)
			}
			if b.read(winTempRel) != "<absent>" || b.read("after") == "<absent>" {
				t.Fatal("the queue did not finish")
			}
			b.wantPairs(0)
			var outcomes []string
			for _, rec := range b.history() {
				outcomes = append(outcomes, fmt.Sprintf("%d:%s", rec.Seq, rec.Outcome))
			}
			// A crash after the hand-off was recorded may leave its
			// reboot-pending record or not; each operation is done once.
			got := strings.TrimPrefix(strings.Join(outcomes, " "), "1:reboot-pending ")
			if want := "1:done 2:done 3:done"; got != want {
				t.Errorf("history %q, want %q", strings.Join(outcomes, " "), want)
			}
		})
	}
}
