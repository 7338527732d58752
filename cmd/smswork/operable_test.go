package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// The tests of issue 17: a new administrator installs smswork, boots, and
// lives with it. Each is named after the problem it pins.

// writeConf writes the box's configuration file.
func (b *box) writeConf(text string) {
	b.t.Helper()
	if err := os.WriteFile(b.conf, []byte(text), 0o644); err != nil {
		b.t.Fatal(err)
	}
}

// lastLine returns the last non-empty line of s.
func lastLine(s string) string {
	ls := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(ls[len(ls)-1])
}

// shippedConf is the configuration file dist/ ships for the boot unit.
var shippedConf = filepath.Join("..", "..", "dist", "smswork.conf")

// TestFirstBoot_UnitOnEmptyStateDirectory (problem 1): the unit declares
// its state folder, and its exact ExecStart, run as systemd would (an
// empty StateDirectory= folder named in $STATE_DIRECTORY, the shipped
// configuration file), exits 0 with nothing queued.
func TestFirstBoot_UnitOnEmptyStateDirectory(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the systemd unit is Linux's")
	}
	unit := filepath.Join("..", "..", "dist", "systemd", "smswork.service")
	data, err := os.ReadFile(unit)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"StateDirectory=smswork", "StateDirectoryMode=0700"} {
		if !strings.Contains("\n"+string(data), "\n"+want+"\n") {
			t.Errorf("the unit has no %s line", want)
		}
	}
	argv := unitExecStart(t, unit)
	state := filepath.Join(t.TempDir(), "smswork")
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binPath, argv[1:]...)
	cmd.Env = append(os.Environ(), "STATE_DIRECTORY="+state, "SMSWORK_CONFIG="+shippedConf)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("first boot: %s: %v\n%s", strings.Join(argv, " "), err, out)
	}
	if _, err := os.Stat(filepath.Join(state, "smswork.journal")); err != nil {
		t.Errorf("no journal in the state folder: %v", err)
	}
	if want := "no SMS.INI at " + filepath.Join(state, "SMS.INI") + "; nothing queued"; !strings.Contains(string(out), want) {
		t.Errorf("output lacks %q:\n%s", want, out)
	}
}

// TestFirstBoot_StateFolderCreated (problem 1): without systemd to create
// it, run creates the default state folder (mode 0700) when its parent
// exists; a folder named explicitly that does not exist is an error
// (exit 2) and nothing is created.
func TestFirstBoot_StateFolderCreated(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the state folder is Unix's")
	}
	b := newBox(t, "", nil)
	state := filepath.Join(b.dir, "state")
	for _, cmd := range []string{"status", "plan", "verify"} {
		code, out, stderr := b.exec([]string{"STATE_DIRECTORY=" + state}, []string{cmd})
		if code != 0 || !strings.Contains(out, "nothing queued") {
			t.Errorf("%s before the state folder exists: exit %d, want 0 and nothing queued\n%s%s", cmd, code, out, stderr)
		}
	}
	if _, err := os.Stat(state); err == nil {
		t.Fatal("a command other than run created the state folder")
	}
	code, out, stderr := b.exec([]string{"STATE_DIRECTORY=" + state}, []string{"run"})
	if code != 0 {
		t.Fatalf("run with no state folder: exit %d\n%s%s", code, out, stderr)
	}
	fi, err := os.Stat(state)
	if err != nil || !fi.IsDir() || fi.Mode().Perm() != 0o700 {
		t.Fatalf("state folder %v, %v: want a folder of mode 0700", fi, err)
	}
	typo := filepath.Join(b.dir, "imgae", "SMS.INI")
	for _, cmd := range []string{"run", "plan", "status", "verify"} {
		code, out, stderr = b.exec(nil, []string{"--ini", typo, cmd})
		if code != exitUsage || !strings.Contains(stderr, filepath.Dir(typo)) || !strings.Contains(stderr, "does not exist") {
			t.Errorf("%s --ini in a missing folder: exit %d, want %d and the folder named\n%s%s", cmd, code, exitUsage, out, stderr)
		}
	}
	if _, err := os.Stat(filepath.Dir(typo)); err == nil {
		t.Error("the missing folder was created")
	}
}

// TestVersion_FromBuildInfo (problems 1 and 7): --version and every audit
// record carry the module version and VCS revision of the build, as `go
// version -m` reads them, not "dev".
func TestVersion_FromBuildInfo(t *testing.T) {
	out, err := exec.Command("go", "version", "-m", binPath).Output()
	if err != nil {
		t.Fatal(err)
	}
	var modVersion, revision string
	for _, l := range strings.Split(string(out), "\n") {
		f := strings.Fields(l)
		switch {
		case len(f) >= 3 && f[0] == "mod":
			modVersion = f[2]
		case len(f) >= 2 && f[0] == "build" && strings.HasPrefix(f[1], "vcs.revision="):
			revision = strings.TrimPrefix(f[1], "vcs.revision=")
		}
	}
	if modVersion == "" {
		t.Fatalf("go version -m names no module version:\n%s", out)
	}
	b := newBox(t, "[SMS Work]\nPendingWork=md c:\\v\n", nil)
	_, vout, _ := b.plain("--version")
	if !strings.Contains(vout, modVersion) || strings.Contains(vout, "version dev") {
		t.Errorf("--version %q lacks the module version %s", vout, modVersion)
	}
	if len(revision) >= 12 && !strings.Contains(vout, revision[:12]) {
		t.Errorf("--version %q lacks the revision %s", vout, revision[:12])
	}
	if code, _, stderr := b.smswork("run"); code != 0 {
		t.Fatalf("run: exit %d %s", code, stderr)
	}
	recs := b.historyJSON()
	want := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(vout), "smswork version"))
	if len(recs) != 1 || recs[0].Version != want {
		t.Errorf("audit record version %q, want %q", recs[0].Version, want)
	}
}

// TestResolve_FailedEntry (problem 2): a failed entry can be skipped or
// retried; status names the exact command while it waits for a person
// and stops naming it once decided; the decision is audited with who and
// when.
func TestResolve_FailedEntry(t *testing.T) {
	for _, decision := range []string{"skip", "rerun"} {
		t.Run(decision, func(t *testing.T) {
			b := newBox(t, "[SMS Work]\nPendingWork=copy c:\\missing.dll c:\\x.dll, md c:\\after\n", nil)
			if code, _, _ := b.smswork("run"); code != exitFailed {
				t.Fatalf("run: exit %d, want %d", code, exitFailed)
			}
			code, out, _ := b.smswork("status")
			if code != exitFailed || !strings.Contains(out, "failed: 1") || !strings.Contains(out, "resolve 1 skip") {
				t.Fatalf("status with a failed entry: exit %d, want %d and the command\n%s", code, exitFailed, out)
			}
			code, out, stderr := b.smswork("resolve", "1", decision)
			if code != 0 {
				t.Fatalf("resolve 1 %s: exit %d\n%s%s", decision, code, out, stderr)
			}
			code, out, _ = b.smswork("status")
			if strings.Contains(out, "resolve 1") || !strings.Contains(out, decision+", decided by ") {
				t.Errorf("status after resolve still names resolve, or not the decision:\n%s", out)
			}
			if code == exitFailed || code == exitHeld {
				t.Errorf("status after resolve: exit %d", code)
			}
			if decision == "rerun" {
				if err := os.WriteFile(filepath.Join(b.c, "missing.dll"), []byte("now here"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if code, out, stderr := b.smswork("run"); code != 0 {
				t.Fatalf("run after resolve: exit %d\n%s%s", code, out, stderr)
			}
			if !b.exists("after") || b.read("SMS.INI") != "[SMS Work]\nPendingWork=\n" {
				t.Error("the queue did not go on")
			}
			if decision == "rerun" && b.read("x.dll") != "now here" {
				t.Error("the retried copy did not run")
			}
			want := map[string]string{"skip": "skipped", "rerun": "done"}[decision]
			var found bool
			for _, r := range b.historyJSON("--outcome", "resolved") {
				if string(r.Outcome) == want && string(r.Decision) == decision && r.DecidedBy != "" && r.Seq == 1 {
					found = true
					if !strings.Contains(b.historyDecidedAt(r.ID), "T") {
						t.Errorf("record %d does not say when it was decided", r.ID)
					}
				}
			}
			if !found {
				t.Errorf("no %s record decided %s by someone", want, decision)
			}
		})
	}
}

// historyDecidedAt returns the decidedAt member of record id, as stored.
func (b *box) historyDecidedAt(id uint64) string {
	b.t.Helper()
	_, out, _ := b.smswork("history", "--json")
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			b.t.Fatal(err)
		}
		if m["id"] == float64(id) {
			s, _ := m["decidedAt"].(string)
			return s
		}
	}
	return ""
}

// TestStatus_AfterResolveHeld (problems 2 and 7): once a held operation is
// decided, status no longer asks for a decision nor exits 3.
func TestStatus_AfterResolveHeld(t *testing.T) {
	b, _ := heldBox(t)
	if code, _, _ := b.smsworkEnv([]string{"SMSWORK_FAILPOINT=run.before-start"}, "run"); code != -1 {
		t.Fatalf("the failpoint did not kill the run: exit %d", code)
	}
	if code, _, _ := b.smswork("run", "--interrupted=hold"); code != exitHeld {
		t.Fatalf("run --interrupted=hold: exit %d", code)
	}
	code, out, _ := b.smswork("status")
	if code != exitHeld || !strings.Contains(out, "resolve 1 rerun") || !strings.Contains(out, "resolve 1 skip") {
		t.Fatalf("status of a held operation: exit %d\n%s", code, out)
	}
	if code, _, stderr := b.smswork("resolve", "1", "skip"); code != 0 {
		t.Fatalf("resolve: exit %d %s", code, stderr)
	}
	code, out, _ = b.smswork("status")
	if code == exitHeld || strings.Contains(out, "decide:") || strings.Contains(out, "resolve 1") || !strings.Contains(out, "skip, decided by ") {
		t.Errorf("status after resolve: exit %d\n%s", code, out)
	}
}

// TestConfig_FileIsRead (problem 3): one configuration file gives every
// command its paths, drive mappings and run defaults, so that the boot
// command needs no flags.
func TestConfig_FileIsRead(t *testing.T) {
	b := newBox(t, kbIni, kbFiles)
	b.writeConf("; smswork.conf\nini = " + b.ini + "\njournal = " + b.journal + "\n\n[drives]\nC = " + b.c + "\n[run]\ndeadline = 1m\n")
	for _, cmd := range []string{"plan", "run", "status", "verify"} {
		if code, out, stderr := b.plain(cmd); code != 0 {
			t.Fatalf("%s with the configuration file alone: exit %d\n%s%s", cmd, code, out, stderr)
		}
	}
	if b.read("windows/system/netapi.dll") != "new netapi\n" || b.read("SMS.INI") != kbDone {
		t.Error("the queue did not run through the configured mapping")
	}
}

// TestConfig_Command (problem 3): smswork config prints each effective
// setting and where it came from: default, file:line, flag, environment.
func TestConfig_Command(t *testing.T) {
	b := newBox(t, "", nil)
	b.writeConf("ini = " + b.ini + "\n[drives]\nC = " + b.c + "\n[run]\n\ndeadline = 5m\n")
	code, out, stderr := b.plain("--drive", "D="+b.dir, "config", "--op-timeout", "90s")
	if code != 0 {
		t.Fatalf("config: exit %d\n%s%s", code, out, stderr)
	}
	for _, want := range [][]string{
		{"config", b.conf, "env SMSWORK_CONFIG"},
		{"ini", b.ini, b.conf + ":1"},
		{"journal", filepath.Join(b.c, "smswork.journal"), "default"},
		{"drive C", b.c, b.conf + ":3"},
		{"drive D", b.dir, "flag --drive"},
		{"run.deadline", "5m0s", b.conf + ":6"},
		{"run.op-timeout", "1m30s", "flag --op-timeout"},
		{"run.max-attempts", "3", "default"},
	} {
		found := false
		for _, l := range strings.Split(out, "\n") {
			f := strings.Fields(l)
			joined := strings.Join(f, " ")
			if strings.HasPrefix(joined, want[0]+" ") && strings.Contains(joined, " "+want[1]+" ") && strings.Contains(joined+" ", " "+want[2]+" ") {
				found = true
			}
		}
		if !found {
			t.Errorf("config output has no line %q:\n%s", want, out)
		}
	}
}

// TestConfig_Bad (problem 3): a configuration file that says something
// wrong stops every command (exit 2) naming file:line; one named by
// $SMSWORK_CONFIG or --config that does not exist is an error too.
func TestConfig_Bad(t *testing.T) {
	b := newBox(t, kbIni, kbFiles)
	b.writeConf("[run]\ndeadline = soon\n")
	for _, cmd := range []string{"run", "plan", "status", "history", "config"} {
		code, out, stderr := b.smswork(cmd)
		if code != exitUsage || !strings.Contains(stderr, b.conf+":2: run.deadline") {
			t.Errorf("%s with a bad configuration: exit %d, want %d and %s:2\n%s%s", cmd, code, exitUsage, b.conf, out, stderr)
		}
	}
	missing := filepath.Join(b.dir, "none.conf")
	if code, _, stderr := b.smsworkEnv([]string{"SMSWORK_CONFIG=" + missing}, "status"); code != exitUsage || !strings.Contains(stderr, missing) {
		t.Errorf("$SMSWORK_CONFIG naming a missing file: exit %d %s", code, stderr)
	}
	if code, _, stderr := b.smswork("--config", missing, "status"); code != exitUsage || !strings.Contains(stderr, missing) {
		t.Errorf("--config naming a missing file: exit %d %s", code, stderr)
	}
	if b.read("SMS.INI") != kbIni {
		t.Error("SMS.INI changed")
	}
}

// TestAddPlan_UnmappedDrive (problem 3): add and plan refuse entries for a
// drive that has no mapping (exit 2), instead of a failure at boot.
func TestAddPlan_UnmappedDrive(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("on Windows a drive letter is the drive itself")
	}
	b := newBox(t, "[SMS Work]\nPendingWork=md c:\\x\n", nil)
	flags := []string{"--ini", b.ini, "--journal", b.journal}
	code, out, stderr := b.exec(nil, append(flags, "add", `copy c:\temp\a.dll c:\windows\a.dll`))
	if code != exitUsage || !strings.Contains(stderr, "drive C") {
		t.Errorf("add of an entry for an unmapped drive: exit %d, want %d\n%s%s", code, exitUsage, out, stderr)
	}
	if b.read("SMS.INI") != "[SMS Work]\nPendingWork=md c:\\x\n" {
		t.Error("add appended an entry for an unmapped drive")
	}
	code, out, stderr = b.exec(nil, append(flags, "plan"))
	if code != exitUsage || !strings.Contains(out+stderr, "drive C") {
		t.Errorf("plan of an entry for an unmapped drive: exit %d, want %d\n%s%s", code, exitUsage, out, stderr)
	}
}

// TestIni_ExplicitMissing (problem 4): an --ini that does not exist, with
// nothing in the journal, is a wrong path: exit 2, not "empty", and no
// journal is created beside it.
func TestIni_ExplicitMissing(t *testing.T) {
	b := newBox(t, "", nil)
	typo := filepath.Join(b.c, "SMS.IN")
	for _, cmd := range []string{"plan", "run", "verify", "status"} {
		code, out, stderr := b.exec(nil, []string{"--ini", typo, "--drive", "C=" + b.c, cmd})
		if code != exitUsage || !strings.Contains(stderr, "no SMS.INI at "+typo) || strings.Contains(out, "empty") || strings.Contains(out, "clean") {
			t.Errorf("%s --ini MISSING: exit %d, want %d and \"no SMS.INI at %s\"\n%s%s", cmd, code, exitUsage, typo, out, stderr)
		}
	}
	if _, err := os.Stat(filepath.Join(b.c, "smswork.journal")); err == nil {
		t.Error("a journal was created beside the missing SMS.INI")
	}
}

// TestIni_DefaultMissing (problem 4): the default SMS.INI missing while
// the journal holds nothing is a machine with nothing queued: exit 0,
// saying so plainly.
func TestIni_DefaultMissing(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the state folder is Unix's")
	}
	b := newBox(t, "", nil)
	state := filepath.Join(b.dir, "state")
	if err := os.Mkdir(state, 0o700); err != nil {
		t.Fatal(err)
	}
	env := []string{"STATE_DIRECTORY=" + state}
	want := "no SMS.INI at " + filepath.Join(state, "SMS.INI") + "; nothing queued"
	for _, cmd := range []string{"plan", "run", "verify", "status"} {
		code, out, stderr := b.exec(env, []string{cmd})
		if code != 0 || !strings.Contains(out+stderr, want) {
			t.Errorf("%s: exit %d, want 0 and %q\n%s%s", cmd, code, want, out, stderr)
		}
	}
}

// TestPlan_ShowsJournal (problem 5): plan shows what run would do now:
// the operations the journal holds, not only SMS.INI's entries (here
// SMS.INI was deleted after a failed run), and the failure run would meet.
func TestPlan_ShowsJournal(t *testing.T) {
	b := newBox(t, "[SMS Work]\nPendingWork=copy c:\\missing.dll c:\\x.dll, md c:\\after\n", nil)
	if code, _, _ := b.smswork("run"); code != exitFailed {
		t.Fatalf("run: exit %d", code)
	}
	if err := os.Remove(b.ini); err != nil {
		t.Fatal(err)
	}
	code, out, stderr := b.smswork("plan")
	if code != exitFailed || strings.Contains(out, "empty") || !strings.Contains(out, `copy c:\missing.dll c:\x.dll`) ||
		!strings.Contains(out, `md c:\after`) || !strings.Contains(out, "does not exist") {
		t.Fatalf("plan of the journal's queue: exit %d, want %d\n%s%s", code, exitFailed, out, stderr)
	}
	if _, err := os.Stat(b.ini); err == nil {
		t.Error("plan wrote SMS.INI")
	}
}

// TestPlan_Checks (problem 5): plan makes the checks run makes before it
// touches anything: a source that does not exist, a destination folder
// that does not exist (an earlier entry that creates it counts), the
// permission refusal; --json says the same for machines.
func TestPlan_Checks(t *testing.T) {
	ini := "[SMS Work]\nPendingWork=copy c:\\nosuch.dll c:\\x.dll, copy c:\\a.txt c:\\nofolder\\b.txt, md c:\\made, copy c:\\a.txt c:\\made\\, del c:\\a.txt\n"
	b := newBox(t, ini, map[string]string{"a.txt": "a"})
	code, out, stderr := b.smswork("plan", "--json")
	if code != exitFailed {
		t.Fatalf("plan --json: exit %d, want %d\n%s%s", code, exitFailed, out, stderr)
	}
	var rep struct {
		Entries []struct {
			N       int    `json:"n"`
			Raw     string `json:"raw"`
			Problem string `json:"problem"`
		} `json:"entries"`
		Exit int `json:"exit"`
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("plan --json: %v\n%s", err, out)
	}
	if len(rep.Entries) != 5 || rep.Exit != exitFailed {
		t.Fatalf("plan --json: %+v", rep)
	}
	for i, wantProblem := range []bool{true, true, false, false, false} {
		if e := rep.Entries[i]; (e.Problem != "") != wantProblem || e.N != i+1 {
			t.Errorf("entry %d %q: problem %q (want one: %v)", e.N, e.Raw, e.Problem, wantProblem)
		}
	}
	if b.read("SMS.INI") != ini || !b.exists("a.txt") || b.exists("made") {
		t.Error("plan changed something")
	}
	if runtime.GOOS != "windows" {
		if err := os.Chmod(b.ini, 0o666); err != nil {
			t.Fatal(err)
		}
		code, out, stderr = b.smswork("plan")
		if code != exitUsage || !strings.Contains(out+stderr, "world-writable") {
			t.Errorf("plan of a world-writable SMS.INI: exit %d, want %d\n%s%s", code, exitUsage, out, stderr)
		}
	}
}

// TestRun_FailureAlwaysExits1 (problem 6): a run in which an operation
// failed exits 1 even with --on-error=continue, and its last line counts
// done, failed, held and remaining.
func TestRun_FailureAlwaysExits1(t *testing.T) {
	b := newBox(t, "[SMS Work]\nPendingWork=del c:\\x, copy c:\\missing c:\\y, md c:\\z\n", map[string]string{"x": "x"})
	code, out, stderr := b.smswork("run", "--on-error=continue")
	if code != exitFailed || !b.exists("z") {
		t.Fatalf("run --on-error=continue with a failure: exit %d, want %d\n%s%s", code, exitFailed, out, stderr)
	}
	if got, want := lastLine(out), "2 done, 1 failed, 0 held, 0 remaining"; got != want {
		t.Errorf("last line %q, want %q", got, want)
	}
	b = newBox(t, "[SMS Work]\nPendingWork=copy c:\\missing c:\\y, md c:\\z\n", nil)
	code, out, _ = b.smswork("run")
	if got, want := lastLine(out), "0 done, 1 failed, 0 held, 2 remaining"; code != exitFailed || got != want {
		t.Errorf("run stopped by a failure: exit %d, last line %q, want %q", code, got, want)
	}
}

// TestStatus_ExitCodes (problem 6): status exits 0 only when nothing is
// failed, held or waiting, with a documented code for each.
func TestStatus_ExitCodes(t *testing.T) {
	b := newBox(t, "[SMS Work]\nPendingWork=copy c:\\missing c:\\y, md c:\\z\n", nil)
	if code, out, _ := b.smswork("status"); code != exitWaiting {
		t.Errorf("status with entries not yet run: exit %d, want %d\n%s", code, exitWaiting, out)
	}
	b.smswork("run")
	if code, out, _ := b.smswork("status"); code != exitFailed {
		t.Errorf("status with a failed entry: exit %d, want %d\n%s", code, exitFailed, out)
	}
	if err := os.WriteFile(filepath.Join(b.c, "missing"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	b.smswork("run")
	if code, out, _ := b.smswork("status"); code != 0 {
		t.Errorf("status with everything done: exit %d, want 0\n%s", code, out)
	}
}

// unitExecStart returns the argv of the one ExecStart= line of a unit
// file (systemd's quoting is not needed by ours: plain words only).
func unitExecStart(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var argv []string
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(strings.TrimSpace(line), "ExecStart="); ok {
			if argv != nil {
				t.Fatal("several ExecStart= lines")
			}
			if strings.ContainsAny(v, `"'\$%`) {
				t.Fatalf("ExecStart %q needs systemd's quoting or specifiers; keep it plain", v)
			}
			argv = strings.Fields(strings.TrimLeft(v, "-@:+!"))
		}
	}
	if len(argv) == 0 {
		t.Fatalf("%s: no ExecStart=", path)
	}
	return argv
}
