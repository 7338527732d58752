package recovery

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	bolt "go.etcd.io/bbolt"

	"smswork/journal"
)

// updateGolden regenerates testdata/journal/*.golden when set:
// SMSWORK_UPDATE_GOLDEN=1 go test ./recovery -run TestRun_JournalGolden
var updateGolden = os.Getenv("SMSWORK_UPDATE_GOLDEN") != ""

// dumpJournal closes e's journal and prints every bucket of its bbolt
// file, key by key (keys in hex; values as stored when they are JSON,
// else in hex), then the world, the restores and SMS.INI; the test's
// folder is written DIR.
func dumpJournal(t *testing.T, e *env) []byte {
	t.Helper()
	e.closeJ()
	db, err := bolt.Open(e.path, 0o600, &bolt.Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = db.Close() }()
	var b bytes.Buffer
	err = db.View(func(tx *bolt.Tx) error {
		return tx.ForEach(func(name []byte, bk *bolt.Bucket) error {
			fmt.Fprintf(&b, "[%s]\n", name)
			return bk.ForEach(func(k, v []byte) error {
				if len(v) > 0 && (v[0] == '{' || v[0] == '[' || v[0] == '"') {
					fmt.Fprintf(&b, "%x = %s\n", k, v)
				} else {
					fmt.Fprintf(&b, "%x = %x\n", k, v)
				}
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	ini, err := os.ReadFile(e.ini)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(&b, "[world]\n%v\n[restored]\n%v\n[SMS.INI]\n%q\n", e.w.files, e.bk.restored, ini)
	return bytes.ReplaceAll(b.Bytes(), []byte(filepath.Dir(e.ini)), []byte("DIR"))
}

// TestRun_JournalGolden pins, byte for byte, the journal that rollbacks
// and undos leave (every record, entry, batch and undo step): what
// recovery decides and the journal stores must not change unseen.
func TestRun_JournalGolden(t *testing.T) {
	t.Parallel()
	a, b, c, d := `del c:\a`, `del c:\b`, `del c:\c`, `del c:\d`
	kept := func(cfg *Config) { cfg.Atomic, cfg.OnRollback, cfg.KeepBackups = true, journal.RollbackKeep, 1<<30 }
	drop := func(cfg *Config) { cfg.Atomic, cfg.OnRollback, cfg.KeepBackups = true, journal.RollbackDrop, 1<<30 }
	tests := []struct {
		name    string
		entries []string
		fail    int // failures of c (-1: always)
		do      func(e *env)
	}{
		{"keep", []string{a, b, c}, 1, func(e *env) { e.run(kept); e.run(kept) }},
		{"keep-twice", []string{a, b, c}, 2, func(e *env) {
			e.run(kept)
			e.run(kept)
			e.run(kept)
		}},
		{"keep-barrier", []string{a, `prog r`, c, d}, -1, func(e *env) { e.run(kept) }},
		{"drop", []string{a, b, c, d}, -1, func(e *env) { e.run(drop) }},
		{"drop-barrier", []string{a, `prog r`, c, d}, -1, func(e *env) { e.run(drop) }},
		{"drop-crash", []string{a, b, c}, -1, func(e *env) {
			e.crashAt = "undo.after-step:2"
			e.crashRun(drop)
			e.run(drop)
		}},
		{"undo", []string{a, b, c}, 0, func(e *env) {
			e.run(keep)
			if _, _, err := e.undo(1, UndoOptions{By: "admin"}, keep); err != nil {
				t.Fatal(err)
			}
		}},
		{"undo-partial", []string{a, `prog r`, c}, 0, func(e *env) {
			e.run(keep)
			if _, _, err := e.undo(1, UndoOptions{Partial: true}, keep); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEnv(t, tt.entries...).withBackups()
			e.original()
			e.exec.scripts["c"] = &script{fail: tt.fail}
			tt.do(e)
			got := dumpJournal(t, e)
			path := filepath.Join("testdata", "journal", tt.name+".golden")
			if updateGolden {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, want) {
				gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
				for i := range min(len(gl), len(wl)) {
					if gl[i] != wl[i] {
						t.Fatalf("%s differs at line %d:\ngot  %s\nwant %s", path, i+1, gl[i], wl[i])
					}
				}
				t.Fatalf("%s differs in length: %d lines, want %d", path, len(gl), len(wl))
			}
		})
	}
}
