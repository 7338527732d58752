package main

import (
	"bufio"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"smswork/journal"
)

// auditIni queues a wildcard copy, a copy, and the deletion of a source.
const auditIni = "[SMS Work]\nPendingWork=copy c:\\temp\\*.dll c:\\windows\\system /y, " +
	"copy c:\\temp\\setup.inf c:\\windows\\inf\\setup.inf, del c:\\temp\\b.dll\n"

var auditFiles = map[string]string{
	"temp/a.dll":             "a\n",
	"temp/b.dll":             "b\n",
	"temp/setup.inf":         "inf\n",
	"windows/system/old.dll": "old\n",
	"windows/inf/old.inf":    "old\n",
}

func auditBox(t *testing.T) *box {
	t.Helper()
	b := newBox(t, auditIni, auditFiles)
	if code, out, stderr := b.smswork("run"); code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
	}
	return b
}

// historyJSON returns the records history --json prints with args.
func (b *box) historyJSON(args ...string) []journal.Record {
	b.t.Helper()
	code, out, stderr := b.smswork(append([]string{"history", "--json"}, args...)...)
	if code != 0 {
		b.t.Fatalf("history: exit %d\n%s", code, stderr)
	}
	var recs []journal.Record
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var r journal.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			b.t.Fatalf("history line %q: %v", sc.Text(), err)
		}
		recs = append(recs, r)
	}
	return recs
}

// tamper changes the journal's history bucket directly, as an attacker
// with the file would.
func (b *box) tamper(fn func(*bolt.Bucket) error) {
	b.t.Helper()
	db, err := bolt.Open(b.journal, 0o600, &bolt.Options{Timeout: time.Second})
	if err != nil {
		b.t.Fatal(err)
	}
	defer db.Close()
	if err := db.Update(func(tx *bolt.Tx) error { return fn(tx.Bucket([]byte("history"))) }); err != nil {
		b.t.Fatal(err)
	}
}

func key(n uint64) []byte { return binary.BigEndian.AppendUint64(nil, n) }

func TestVerify_Tampering(t *testing.T) {
	cases := map[string]func(*bolt.Bucket) error{
		"edit": func(h *bolt.Bucket) error {
			v := strings.Replace(string(h.Get(key(2))), `setup.inf`, `evil.inf`, 1)
			return h.Put(key(2), []byte(v))
		},
		"delete": func(h *bolt.Bucket) error { return h.Delete(key(2)) },
		"reorder": func(h *bolt.Bucket) error {
			v1 := append([]byte(nil), h.Get(key(1))...)
			v2 := append([]byte(nil), h.Get(key(2))...)
			if err := h.Put(key(1), v2); err != nil {
				return err
			}
			return h.Put(key(2), v1)
		},
	}
	for name, fn := range cases {
		t.Run(name, func(t *testing.T) {
			b := auditBox(t)
			if code, out, _ := b.smswork("verify"); code != 0 {
				t.Fatalf("verify before tampering: exit %d\n%s", code, out)
			}
			b.tamper(fn)
			code, out, _ := b.smswork("verify")
			want := "FINDING: history record 2:"
			if name == "delete" {
				want = "FINDING: history record 3: record 2 before it is missing"
			}
			if code != 1 || !strings.Contains(out, want) {
				t.Fatalf("verify after %s: exit %d\n%s", name, code, out)
			}
		})
	}
}

func TestHistory_Filters(t *testing.T) {
	b := auditBox(t)
	all := b.historyJSON()
	if len(all) != 3 || all[0].ID != 3 || all[2].ID != 1 {
		t.Fatalf("history newest first: %+v", all)
	}
	first := all[2]
	if first.Host == "" || first.Version == "" || first.Intent == nil || len(first.Result.Files) != 2 ||
		first.Result.Files[0].SHA256 == "" || first.Result.Files[0].SrcSHA256 == "" || first.Result.Bytes != 4 ||
		first.Result.Start.IsZero() || first.Result.End.IsZero() {
		t.Errorf("copy record lacks audit fields: %+v", first)
	}
	for _, c := range []struct {
		args []string
		want []uint64
	}{
		{[]string{"--path", `c:\windows\system\a.dll`}, []uint64{1}}, // a file a wildcard expanded to
		{[]string{"--path", `C:/WINDOWS/SYSTEM/B.DLL`}, []uint64{1}},
		{[]string{"--path", `c:\temp\b.dll`}, []uint64{3, 1}}, // source of the wildcard, and deleted
		{[]string{"--path", `c:/temp/*.dll`}, []uint64{1}},
		{[]string{"--path", `c:\nowhere`}, nil},
		{[]string{"--outcome", "done", "--oldest-first", "--limit", "2"}, []uint64{1, 2}},
		{[]string{"--outcome", "failed,held"}, nil},
		{[]string{"--batch", "1", "--since", "2000-01-01", "--until", time.Now().Add(time.Hour).Format(time.RFC3339)}, []uint64{3, 2, 1}},
		{[]string{"--since", time.Now().Add(time.Hour).Format(time.RFC3339)}, nil},
	} {
		var got []uint64
		for _, r := range b.historyJSON(c.args...) {
			got = append(got, r.ID)
		}
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("history %v: records %v, want %v", c.args, got, c.want)
		}
	}
	code, out, _ := b.smswork("history")
	if code != 0 || !strings.Contains(out, "RECORD") || !strings.Contains(out, `copy c:\temp\setup.inf`) || !strings.Contains(out, "4 bytes") {
		t.Errorf("history table: exit %d\n%s", code, out)
	}
	if code, _, _ := b.smswork("history", "--outcome", "sideways"); code != exitUsage {
		t.Errorf("unknown outcome: exit %d", code)
	}
}

func TestVerify_Files(t *testing.T) {
	b := auditBox(t)
	// a.dll, b.dll and setup.inf: the del removed b.dll's source only.
	if code, out, _ := b.smswork("verify", "--files"); code != 0 || !strings.Contains(out, "3 file(s) in place") {
		t.Fatalf("verify --files: exit %d\n%s", code, out)
	}
	// A later operation removes one copy and moves another: expected.
	if code, _, stderr := b.smswork("add", `del c:\windows\system\a.dll`, `move c:\windows\inf\setup.inf c:\windows\inf\setup.old`); code != 0 {
		t.Fatalf("add: %d %s", code, stderr)
	}
	if code, out, stderr := b.smswork("run"); code != 0 {
		t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
	}
	if code, out, _ := b.smswork("verify", "--files"); code != 0 || !strings.Contains(out, "2 file(s) in place") {
		t.Fatalf("verify --files after del and move: exit %d\n%s", code, out)
	}
	// Drift: a file changed behind smswork's back, another removed.
	if err := os.WriteFile(filepath.Join(b.c, "windows", "system", "b.dll"), []byte("changed"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(b.c, "windows", "inf", "setup.old")); err != nil {
		t.Fatal(err)
	}
	code, out, _ := b.smswork("verify", "--files")
	if code != 1 || !strings.Contains(out, `C:\windows\system\b.dll has changed`) || !strings.Contains(out, "record 1 (batch 1 entry 1") ||
		!strings.Contains(out, `C:\windows\inf\setup.old is missing`) || !strings.Contains(out, "record 2 (batch 1 entry 2") {
		t.Fatalf("verify --files with drift: exit %d\n%s", code, out)
	}
}

func TestVerify_SMSINI(t *testing.T) {
	b := auditBox(t)
	// An entry the journal committed back in SMS.INI is a finding; one
	// appended and not yet ingested is not.
	if err := os.WriteFile(b.ini, []byte("[SMS Work]\nPendingWork=md c:\\new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, out, _ := b.smswork("verify"); code != 0 {
		t.Fatalf("verify with an appended entry: exit %d\n%s", code, out)
	}
}
