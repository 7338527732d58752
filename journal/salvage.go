package journal

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"time"

	"smswork/internal/filelock"
	"smswork/internal/fsroot"
	"smswork/ops"
)

// SalvageMark says, on the records smswork journal salvage writes, what was
// lost and what the salvage did.
type SalvageMark struct {
	// Broken is the damaged journal file, kept aside.
	Broken string `json:"broken"`
	// From and Through, on a marker of lost records (outcome lost), are the
	// IDs of the records it stands for; it is stored under Through.
	From    uint64 `json:"from,omitempty"`
	Through uint64 `json:"through,omitempty"`
	// Next, on a marker, is the hash the record after it follows: the
	// hash of record Through, as that record names it ("" when no record
	// follows: the next one follows the marker's own hash).
	Next string `json:"next,omitempty"`
	// Kept, Lost and Held, on the record that ends a salvage (outcome
	// salvaged), count the history records kept and lost, and the
	// operations held for a decision.
	Kept uint64 `json:"kept,omitempty"`
	Lost uint64 `json:"lost,omitempty"`
	Held int    `json:"held,omitempty"`
	// Damage names what was damaged (the first findings).
	Damage []string `json:"damage,omitempty"`
}

// chainNext is the hash the record after r follows.
func (r *Record) chainNext() string {
	if r.Outcome == ops.Lost && r.Salvage != nil && r.Salvage.Next != "" {
		return r.Salvage.Next
	}
	return r.Hash
}

// ErrSound is returned by Salvage for a journal that is not damaged.
var ErrSound = errors.New("journal is not damaged: nothing to salvage")

// SalvageOptions tunes Salvage.
type SalvageOptions struct {
	// ReadIni returns SMS.INI's PendingWork entries, in order. Salvage
	// calls it once it holds the journal's writers' lock; the caller holds
	// SMS.INI's lock from then until Salvage returns.
	ReadIni func() ([]string, error)
	// Parse parses an entry (ops.Parse): an entry whose record was lost is
	// held with the operation its text gives.
	Parse ParseFunc
	// Force rebuilds a journal that is not damaged too.
	Force bool
	// Now is the salvage's time (default time.Now); Host and Version go
	// into the records it writes; LockTimeout bounds the wait for the
	// writers' lock (default 100ms).
	Now           time.Time
	Host, Version string
	LockTimeout   time.Duration
}

// SalvageResult is what Salvage did.
type SalvageResult struct {
	// Broken is where the damaged file was set aside.
	Broken string
	// Damage lists what was damaged.
	Damage []error
	// Kept and Lost count history records kept and lost (Scattered of the
	// kept were found in pages the tree no longer reached); Relinked
	// counts kept records whose link to the record before had to be
	// rewritten.
	Kept, Lost          uint64
	Scattered, Relinked int
	// LostUnknown says records after the last one kept may be lost too,
	// uncounted: the damage took what numbered them.
	LostUnknown bool
	// Queue counts the operations the new journal keeps in its queue;
	// Held lists those held for a decision (smswork resolve), each with
	// its reason.
	Queue int
	Held  []Entry
	// Dropped lists operations of the damaged journal that the new one
	// does not keep: SMS.INI no longer lists them (done), or an add whose
	// rewrite of SMS.INI never landed lost part of its batch.
	Dropped []string
	// Exact says SMS.INI's entries could be matched to the journal's
	// operations one by one; when not, every entry is held.
	Exact bool
	// Stale says a meta page was damaged: the newest transaction may be
	// lost, and the operation it may have started is held.
	Stale bool
	// NoUndo lists the batches that can no longer be undone.
	NoUndo []uint64
}

// salvagePath is where Salvage builds the new journal.
func salvagePath(path string) string { return path + ".salvage" }

// Salvage sets aside the damaged journal at path and builds a new one in
// its place from every record and queue entry it can still read.
//
// It takes the writers' lock, reads the file page by page with plain
// reads (bbolt never maps it, so nothing it holds can crash the process),
// and plans the new journal against SMS.INI (read by opts.ReadIni under
// that lock): every operation whose state cannot be known is held for
// smswork resolve (see planSalvage). The new journal is written to
// path.salvage and made durable with its folder; the damaged file is then
// kept as path.broken-TIME (a hard link, else a durable copy), the folder
// synced, and the new file renamed over path, the folder synced again.
// A crash at any point leaves the damaged journal or the new one at path.
func Salvage(path string, opts SalvageOptions) (*SalvageResult, error) {
	if opts.Now.IsZero() {
		opts.Now = time.Now()
	}
	if opts.LockTimeout == 0 {
		opts.LockTimeout = 100 * time.Millisecond
	}
	ctx, cancel := context.WithTimeout(context.Background(), opts.LockTimeout)
	lock, err := filelock.Acquire(ctx, path+".lock")
	cancel()
	if errors.Is(err, filelock.ErrTimeout) {
		return nil, fmt.Errorf("journal %s: %w", path, ErrLocked)
	}
	if err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	}
	defer func() { _ = lock.Unlock() }()
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("salvage journal %s: %w", path, err)
	}
	if err := os.Remove(salvagePath(path)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("remove leftover %s: %w", salvagePath(path), err)
	}
	rd, err := readDamaged(path, opts.Parse)
	if err != nil {
		return nil, err
	}
	for _, k := range sortedKeys(rd.historyBad) {
		// A record that does not decode or match its own hash is damaged
		// too (or edited: verify said so; the file kept aside keeps it).
		rd.findings = append(rd.findings, &ChainError{Key: k, Msg: "does not decode or does not match its hash: lost"})
	}
	if len(rd.findings) == 0 && !opts.Force {
		return &SalvageResult{}, fmt.Errorf("journal %s: %w", path, ErrSound)
	}
	var ini []string
	if opts.ReadIni != nil {
		if ini, err = opts.ReadIni(); err != nil {
			return nil, err
		}
	}
	broken := path + ".broken-" + opts.Now.UTC().Format("20060102T150405Z")
	plan := planSalvage(rd, ini, opts, broken)
	if err := writeSalvaged(salvagePath(path), st.Mode().Perm(), plan, opts); err != nil {
		_ = os.Remove(salvagePath(path))
		return nil, fmt.Errorf("salvage journal %s: %w", path, err)
	}
	if err := keepAside(path, broken); err != nil {
		_ = os.Remove(salvagePath(path))
		return nil, err
	}
	if err := fsroot.Rename(salvagePath(path), path); err != nil {
		return nil, err
	}
	if err := fsroot.SyncDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	return plan.result, nil
}

// keepAside keeps the file at path as aside too, durably: a hard link,
// else a copy that is fsynced; the folder is synced either way.
func keepAside(path, aside string) error {
	if err := os.Link(path, aside); err != nil {
		data, rerr := os.ReadFile(path)
		if rerr != nil {
			return fmt.Errorf("keep damaged journal as %s: %w", aside, errors.Join(err, rerr))
		}
		if werr := fsroot.WriteFile(aside, data, fsroot.Options{Perm: 0o600}); werr != nil {
			return fmt.Errorf("keep damaged journal as %s: %w", aside, errors.Join(err, werr))
		}
	}
	return fsroot.SyncDir(filepath.Dir(path))
}

func sortedKeys(m map[uint64]bool) []uint64 {
	keys := make([]uint64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool { return keys[a] < keys[b] })
	return keys
}

// asStoredText returns text as the journal stores it: JSON, which
// replaces bytes that are not UTF-8 with U+FFFD.
func asStoredText(text string) string {
	data, err := json.Marshal(text)
	if err != nil {
		return text
	}
	var s string
	if json.Unmarshal(data, &s) != nil {
		return text
	}
	return s
}
