package crashtest

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"smswork/smsini"
)

// TxWorkload is a file-only batch that makes every kind of change a batch
// can make, for the transactional scenarios: an atomic batch whose last
// entry fails (it must be rolled back), and a batch that ends well and is
// then undone. Its files carry fixed modification times and varied
// permission bits, so that a restore which loses either is seen.
type TxWorkload struct {
	// Files are the starting files, by slash path under the sandbox
	// (c/..., d/...); a path ending in "/" is a folder.
	Files map[string][]byte
	// Modes are the permission bits of the files and folders that do not
	// have the default ones (0644 for a file, 0755 for a folder).
	Modes map[string]fs.FileMode
	// Batch changes the files with every kind of file operation.
	Batch []string
	// Failing is an entry that fails (its source is missing): it ends the
	// atomic scenario's batch.
	Failing string
}

// txEpoch is the first of the starting files' modification times; each
// file gets its own, one second and one microsecond apart in name order.
var txEpoch = time.Date(2020, 1, 2, 3, 4, 5, 6000, time.UTC)

// Transactional returns the transactional workload: copies over an
// existing file (one of 4 MiB over one of 2 MiB) and to a new file, a
// wildcard copy into a folder, a touch (copy FILE+,,), a del with a
// wildcard and of a single file, moves within a folder, into another
// folder over an existing file and to drive D, an md with missing
// parents, an rd, and an rd /s of a tree with files and subfolders.
func Transactional() *TxWorkload {
	rng := rand.New(rand.NewPCG(3, 4))
	blob := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	}
	return &TxWorkload{
		Files: map[string][]byte{
			"c/temp/new.dll":          []byte("NEW dll v2\n"),
			"c/temp/big.bin":          blob(4<<20 + 17),
			"c/temp/drivers/a.sys":    []byte("driver a v2\n"),
			"c/temp/drivers/b.sys":    []byte("driver b\n"),
			"c/temp/drivers/c.SYS":    []byte("driver c\n"),
			"c/temp/drivers/read.me":  []byte("not a driver\n"),
			"c/temp/logs/1.log":       []byte("log 1\n"),
			"c/temp/logs/2.log":       []byte("log 2\n"),
			"c/temp/logs/keep.txt":    []byte("kept\n"),
			"c/windows/app.dll":       []byte("old dll, in use\n"),
			"c/windows/big.bin":       blob(2 << 20),
			"c/windows/gone.dll":      []byte("deleted by the batch\n"),
			"c/windows/drivers/a.sys": []byte("driver a v1\n"),
			"c/windows/over/dst.txt":  []byte("overwritten by a move\n"),
			"c/windows/over/keep.txt": []byte("untouched\n"),
			"c/touch/me.txt":          []byte("touched\n"),
			"c/data/a.txt":            []byte("renamed in place\n"),
			"c/data/b.txt":            []byte("moved over another file\n"),
			"c/data/tod.txt":          blob(300 << 10),
			"c/old/":                  nil,
			"c/tree/x.txt":            []byte("in a tree\n"),
			"c/tree/sub/y.txt":        []byte("deeper\n"),
			"c/tree/sub/empty/":       nil,
			"c/tree/sub2/z.bin":       blob(64 << 10),
			"d/":                      nil,
		},
		Modes: map[string]fs.FileMode{
			"c/windows/app.dll": 0o600,
			"c/tree/x.txt":      0o640,
			"c/old":             0o700,
			"c/tree/sub":        0o750,
			"c/windows/over":    0o775,
		},
		Batch: []string{
			`copy c:\temp\new.dll c:\windows\app.dll /y`,
			`copy c:\temp\big.bin c:\windows\big.bin`,
			`copy c:\temp\new.dll c:\windows\fresh.dll`,
			`copy c:\temp\drivers\*.sys c:\windows\drivers`,
			`copy c:\touch\me.txt+,,`,
			`del c:\temp\logs\*.log`,
			`del c:\windows\gone.dll`,
			`move c:\data\a.txt c:\data\renamed.txt`,
			`move c:\data\b.txt c:\windows\over\dst.txt`,
			`move c:\data\tod.txt d:\tod.txt`,
			`md c:\made\deep\er`,
			`rd c:\old`,
			`rd c:\tree /s /q`,
		},
		Failing: `copy c:\temp\missing.dll c:\windows\missing.dll`,
	}
}

// AtomicEntries is the atomic scenario's batch: the batch, then the
// failing entry.
func (w *TxWorkload) AtomicEntries() []string {
	return append(append([]string{}, w.Batch...), w.Failing)
}

// TxIni is SMS.INI listing entries, written as smswork itself writes it
// (one line, ", " between entries), so that a file that lists the same
// entries is the same bytes.
func TxIni(entries []string) []byte {
	return []byte(iniHead + "PendingWork=" + smsini.Join(entries) + iniTail)
}

// Install writes the workload's files into s with their permission bits
// and modification times, and SMS.INI listing entries.
func (w *TxWorkload) Install(s *Sandbox, entries []string) error {
	var files, dirs []string
	for name := range w.Files {
		if strings.HasSuffix(name, "/") {
			dirs = append(dirs, strings.TrimSuffix(name, "/"))
			continue
		}
		files = append(files, name)
		for d := filepath.ToSlash(filepath.Dir(name)); d != "." && d != "c" && d != "d"; d = filepath.ToSlash(filepath.Dir(d)) {
			dirs = append(dirs, d)
		}
	}
	sort.Strings(files)
	for i, name := range files {
		p := filepath.Join(s.Dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, w.Files[name], 0o644); err != nil {
			return err
		}
		mode, ok := w.Modes[name]
		if !ok {
			mode = 0o644
		}
		if err := os.Chmod(p, mode); err != nil {
			return err
		}
		t := txEpoch.Add(time.Duration(i) * (time.Second + time.Microsecond))
		if err := os.Chtimes(p, t, t); err != nil {
			return err
		}
	}
	for _, d := range dirs {
		p := filepath.Join(s.Dir, filepath.FromSlash(d))
		if err := os.MkdirAll(p, 0o755); err != nil {
			return err
		}
		mode, ok := w.Modes[d]
		if !ok {
			mode = 0o755
		}
		if err := os.Chmod(p, mode); err != nil {
			return err
		}
	}
	return os.WriteFile(s.Ini, TxIni(entries), 0o644)
}

// SnapshotExact records every file, folder and link under root, skipping
// names for which skip returns true: a folder's permission bits; a file's
// permission bits, size, SHA-256 and modification time (to the
// nanosecond); a link's target. Two equal snapshots are byte-identical
// trees, as far as a program can tell (folder times aside: a folder's
// time is its entries' last change, which an undo cannot take back).
func SnapshotExact(root string, skip func(rel string) bool) (Tree, error) {
	t := Tree{}
	err := walkTree(root, skip, func(rel, p string, _ fs.DirEntry) error {
		fi, err := os.Lstat(p)
		if err != nil {
			return err
		}
		switch {
		case fi.Mode()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			t[rel] = "link " + target
		case fi.IsDir():
			t[rel] = fmt.Sprintf("dir %v", fi.Mode().Perm())
		case fi.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			t[rel] = fmt.Sprintf("file %v %d bytes %s mtime %s", fi.Mode().Perm(), len(data),
				hex.EncodeToString(sum[:8]), fi.ModTime().UTC().Format(time.RFC3339Nano))
		default:
			t[rel] = "other " + fi.Mode().String()
		}
		return nil
	})
	return t, err
}

// snapshotTx snapshots drives C and D of s exactly, leaving out SMS.INI
// and its lock file (checked on their own: SMS.INI's time changes when it
// is rewritten), the journal and its backup folder (journal.db*), and the
// run counters.
func snapshotTx(s *Sandbox) (Tree, error) {
	ini, err := filepath.Rel(s.Dir, s.Ini)
	if err != nil {
		return nil, err
	}
	ini = filepath.ToSlash(ini)
	return SnapshotExact(s.Dir, func(rel string) bool {
		return rel == "counters" || strings.HasPrefix(rel, "journal.db") ||
			rel == ini || rel == filepath.ToSlash(smsini.LockPath(ini))
	})
}
