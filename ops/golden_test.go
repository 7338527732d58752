package ops

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"
)

// The journal stores the vocabulary as JSON, and records written by one
// version must decode in every later one: these golden files pin the
// encoding. A change to them is a change of the journal's schema (see
// journal/doc.go): decide it, then regenerate with
//
//	SMSWORK_UPDATE_GOLDEN=1 go test ./ops -run TestGolden
//
// and keep decoding what the old files held.

var goldenTime = time.Date(2026, 11, 30, 4, 5, 6, 789000000, time.UTC)

func goldenPath(rel string) Path { return Path{Drive: "C", Rel: rel} }

// goldenCases is one value of every kind of operation, every outcome and
// every prior state a backup records.
func goldenCases() map[string]any {
	return map[string]any{
		"op-copy":      &Op{Kind: KindCopy, Src: goldenPath("temp/*.dll"), Dst: goldenPath("windows/system"), NoOverwrite: true, Verify: true, ASCII: true},
		"op-touch":     &Op{Kind: KindCopy, Src: goldenPath("w/x.ini"), Touch: true},
		"op-del":       &Op{Kind: KindDel, Src: goldenPath("temp/netapi.dll"), Quiet: true, Force: true},
		"op-move":      &Op{Kind: KindMove, Src: goldenPath("a"), Dst: Path{Drive: "D", Rel: "b"}},
		"op-ren":       &Op{Kind: KindRen, Src: goldenPath("temp/*.log"), NewName: "*.bak"},
		"op-ren-ansi":  &Op{Kind: KindRen, Src: goldenPath("a.txt"), NewName: "caf\xe9.txt"},
		"op-copy-join": &Op{Kind: KindCopy, Src: goldenPath("t/a.cfg"), ASCII: true, Join: []JoinPart{{Path: goldenPath("t/*.cfg"), Binary: true}}, Dst: goldenPath("w"), DstDir: true, DstBinary: true},
		"op-copy-eof":  &Op{Kind: KindCopy, Src: goldenPath("t/a.cfg"), Binary: true, Dst: goldenPath("w/a.cfg"), DstASCII: true},
		"intent-join": &Intent{Items: []Item{{Src: goldenPath("t/a.cfg"), Dst: goldenPath("w/a.cfg"), Temp: ".smswork-9-0.tmp", SrcExists: true, SrcSize: 3, SrcModTime: goldenTime}},
			Join: &Join{Parts: []JoinSource{{Path: goldenPath("t/a.cfg"), Size: 3, ModTime: goldenTime, ASCII: true}, {Path: goldenPath("t/b.cfg"), Size: 4, ModTime: goldenTime}}, EOF: true, Size: 7, ModTime: goldenTime.Truncate(2 * time.Second)}},
		"op-md":         &Op{Kind: KindMD, Src: goldenPath("new/deep")},
		"op-rd":         &Op{Kind: KindRD, Src: goldenPath("old"), Recursive: true, Quiet: true},
		"op-run":        &Op{Kind: KindRun, Argv: []string{`c:\setup.exe`, "/quiet", "a b"}},
		"op-run-ansi":   &Op{Kind: KindRun, Argv: []string{"prog", "caf\xe9"}},
		"op-native":     &Op{Kind: KindDel, Src: Path{Rel: "usr/lib/x.so"}},
		"path-ansi":     &Path{Drive: "C", Rel: "d\xe9j\xe0/x"},
		"intent-copy":   &Intent{Items: []Item{{Src: goldenPath("t/a.dll"), Dst: goldenPath("w/a.dll"), Temp: ".smswork-7-0.tmp", SrcExists: true, SrcSize: 42, SrcModTime: goldenTime, DstExisted: true}}, Backups: goldenBackups()},
		"intent-move":   &Intent{Items: []Item{{Src: goldenPath("a"), Dst: Path{Drive: "D", Rel: "a"}, Temp: ".smswork-8-0.tmp", SrcExists: true}}, CrossDevice: true, Copied: true},
		"intent-irrev":  &Intent{Items: []Item{{Src: goldenPath("big")}}, Irreversible: "rd /s of a folder of more than 10000 entries"},
		"result-done":   &Result{Outcome: Done, Files: []FileResult{{Path: goldenPath("w/a.dll"), Size: 42, SHA256: "ab", SrcSHA256: "ab"}}, Bytes: 42, Start: goldenTime, End: goldenTime.Add(time.Second)},
		"result-run":    &Result{Outcome: Failed, Err: "exit status 3", ExitCode: 3, Stdout: "out", Stderr: "err", Truncated: true, TimedOut: true, Start: goldenTime, End: goldenTime},
		"result-inuse":  &Result{Outcome: Failed, Err: "in use", InUse: true},
		"result-absent": &Result{Outcome: AlreadyDone, Files: []FileResult{{Path: goldenPath("gone"), Absent: true}}},
		"outcomes":      &[]Outcome{Done, AlreadyDone, Failed, Skipped, Held, Undone, Dropped, Checkpoint},
	}
}

func goldenBackups() []Backup {
	return []Backup{
		{Path: goldenPath("w/a.dll"), Prior: PriorFile, Name: "7-1-0", Size: 40, Mode: 0o644, ModTime: goldenTime},
		{Path: goldenPath("w/new.dll"), Prior: PriorAbsent},
		{Path: goldenPath("w/link"), Prior: PriorLink, Link: "../t"},
		{Path: goldenPath("w/dir"), Prior: PriorDir, Mode: 0o755, Moved: goldenPath("w/dir2")},
		{Path: goldenPath("w/x.ini"), Prior: PriorTime, Size: 3, ModTime: goldenTime},
	}
}

// TestGolden_Encoding checks that each value encodes to its golden file
// byte for byte, and that the golden file decodes to the value.
func TestGolden_Encoding(t *testing.T) {
	update := os.Getenv("SMSWORK_UPDATE_GOLDEN") != ""
	for name, v := range goldenCases() {
		t.Run(name, func(t *testing.T) {
			got, err := json.MarshalIndent(v, "", "\t")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			file := filepath.Join("testdata", "golden", name+".json")
			if update {
				if err := os.WriteFile(file, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(file)
			if err != nil {
				t.Fatalf("%v (regenerate with SMSWORK_UPDATE_GOLDEN=1)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("encoding of %s changed: the journal's schema changed.\ngot:\n%s\nwant:\n%s", name, got, want)
			}
			back := reflect.New(reflect.TypeOf(v).Elem()).Interface()
			if err := json.Unmarshal(want, back); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(back, v) {
				t.Errorf("%s decodes to %+v, want %+v", file, back, v)
			}
		})
	}
}
