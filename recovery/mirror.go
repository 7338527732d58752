package recovery

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"smswork/internal/fsroot"
	"smswork/journal"
	"smswork/smsini"
)

// syncResult is what one reconciliation of SMS.INI with the journal did.
type syncResult struct {
	// ingested counts entries appended to SMS.INI and taken into the journal.
	ingested int
	// bad lists appended entries that do not parse (left in SMS.INI).
	bad []error
	// wrote says SMS.INI was rewritten.
	wrote bool
}

// window is what the journal says SMS.INI lists: the operations from start
// on, in order, and the first of them not yet committed.
type window struct {
	start uint64
	texts []string
	// listed is how many of texts SMS.INI lists: all of them, unless an
	// smswork add --atomic was cut short before its rewrite landed.
	listed    int
	firstOpen uint64 // first seq not committed; nextSeq when none
	nextSeq   uint64
	// pendingTemp is the temporary file of an interrupted rewrite that
	// did not land: it must go, after the journal forgets it.
	pendingTemp string
	// hadPending says the journal records a rewrite in flight, landed or
	// not: the journal must be brought up to date even when SMS.INI is.
	hadPending bool
}

// readWindow resolves an interrupted SMS.INI rewrite (journal package doc,
// "The mirror protocol") and returns the window of operations SMS.INI lists.
// committing, when not nil, is the operation whose deferred commit marker
// is written first in the transaction that records the rewrite: what that
// marker commits is counted as committed (journal.Tx.CommittedBy).
func readWindow(tx *journal.Tx, committing *journal.Entry) (*window, error) {
	m, err := tx.Mirror()
	if err != nil {
		return nil, err
	}
	w := &window{start: m.Start, nextSeq: tx.NextSeq()}
	if p := m.Pending; p != nil {
		w.hadPending = true
		if _, err := os.Lstat(p.Temp); err == nil {
			w.pendingTemp = p.Temp // the rename did not happen
		} else if errors.Is(err, os.ErrNotExist) {
			w.start = p.Start // the rename happened
		} else {
			return nil, fmt.Errorf("check temporary file %s: %w", p.Temp, err)
		}
	}
	w.firstOpen = w.nextSeq
	commits, err := tx.CommittedBy(committing)
	if err != nil {
		return nil, err
	}
	err = tx.Queue(func(e *journal.Entry) error {
		if e.Seq < w.start {
			return nil
		}
		w.texts = append(w.texts, e.Raw)
		if e.State != journal.Committed && !commits(e) && e.Seq < w.firstOpen {
			w.firstOpen = e.Seq
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if uint64(len(w.texts)) != w.nextSeq-w.start {
		return nil, fmt.Errorf("journal lists %d operations from %d but numbers reach %d: %w",
			len(w.texts), w.start, w.nextSeq, journal.ErrCorrupt)
	}
	w.listed = len(w.texts)
	if p := m.Pending; p != nil && w.pendingTemp != "" && p.Added >= w.start && p.Added < w.nextSeq {
		w.listed = int(p.Added - w.start)
	}
	return w, nil
}

// splitAppended returns the entries of SMS.INI beyond those the window
// accounts for. When SMS.INI does not begin with the window's entries
// (someone edited it by hand), it falls back to a multiset difference and
// says so: the journal stays the truth, nothing appended is lost.
func splitAppended(file []smsini.Entry, known []string) (appended []smsini.Entry, exact bool) {
	if len(file) >= len(known) {
		match := true
		for i, k := range known {
			if file[i].Text != k {
				match = false
				break
			}
		}
		if match {
			return file[len(known):], true
		}
	}
	left := map[string]int{}
	for _, k := range known {
		left[k]++
	}
	for _, f := range file {
		if left[f.Text] > 0 {
			left[f.Text]--
			continue
		}
		appended = append(appended, f)
	}
	return appended, false
}

// syncMirror reconciles SMS.INI with the journal under SMS.INI's lock:
// it resolves an interrupted rewrite, ingests appended entries that parse
// (all of them or none when allOrNothing, as at the start of a run), and
// rewrites SMS.INI to list exactly the uncommitted operations and the
// appended entries left, when it lists anything else. It writes nothing
// at all when SMS.INI already says the truth.
func (r *runner) syncMirror(ctx context.Context, allOrNothing bool, add *addRequest) (res syncResult, err error) {
	defer func() {
		if err == nil {
			r.sinceMirror, r.lastMirror = 0, r.now()
		}
	}()
	// SMS.INI may trail the journal, never lead it. The deferred commit
	// marker, if any, is written first in the journal transaction that
	// precedes the rename of the rewritten SMS.INI (or that confirms an
	// SMS.INI already right), through r.marker.update: the journal records
	// the operation committed before SMS.INI stops listing it, in the same
	// two fdatasyncs as the mirror's own record, not in a transaction of
	// its own. Should the rewrite fail before that transaction, the marker
	// stays pending, as it was.
	var committing *journal.Entry
	if p := r.marker.pending; p != nil {
		committing = p.e
	}
	lock, err := smsini.Lock(ctx, r.cfg.Ini)
	if err != nil {
		return res, err
	}
	defer func() { _ = lock.Unlock() }()

	file, err := smsini.Read(r.cfg.Ini)
	if err != nil {
		return res, ReadProblems(r.cfg.Ini, err)
	}
	var w *window
	if err := r.cfg.Journal.View(func(tx *journal.Tx) (err error) {
		w, err = readWindow(tx, committing)
		return err
	}); err != nil {
		return res, err
	}
	appended, exact := splitAppended(file.Entries, w.texts[:w.listed])
	if !exact {
		r.log.Warn().Str("ini", r.cfg.Ini).Msg("SMS.INI was changed by hand: its entries are not the journal's followed by appended ones; the journal wins, appended entries are kept")
	}
	// Positions in PendingWork of the appended entries, for messages.
	firstPos := len(file.Entries) - len(appended) + 1
	parsed, bad := ParseEntries(r.cfg.Ini, appended, firstPos)
	res.bad = bad
	if allOrNothing && len(bad) > 0 {
		return res, &InputError{Problems: bad}
	}
	res.ingested = len(parsed)
	defer func() {
		if err == nil {
			r.open += res.ingested
		}
	}()

	// What SMS.INI must list: uncommitted operations, the new ones, then
	// appended entries that did not parse (kept for a person to fix).
	firstOpen := w.firstOpen
	desired := slices.Clone(w.texts[firstOpen-w.start:])
	for _, a := range appended {
		desired = append(desired, a.Text)
	}
	var added uint64 // first operation of an add's batch, when there is one
	if add != nil {
		for _, ne := range add.entries {
			desired = append(desired, ne.Raw)
		}
	}
	newStart := firstOpen

	current := file.Texts()
	journalChange := func(tx *journal.Tx) error {
		if len(parsed) > 0 {
			if _, err := tx.Ingest(r.cfg.Ini, r.now(), parsed); err != nil {
				return err
			}
		}
		if add != nil {
			b, err := tx.IngestBatch(r.cfg.Ini, r.now(), add.entries, add.atomic, add.choice)
			if err != nil {
				return err
			}
			added, add.batch = b.FirstSeq, b
		}
		return tx.ConfirmMirror(w.start)
	}
	needJournal := len(parsed) > 0 || w.hadPending || r.mirrorDirty(w)
	if slices.Equal(desired, current) && (!file.Missing || len(desired) == 0) {
		if needJournal || committing != nil {
			if err := r.marker.update(func(tx *journal.Tx) error {
				if err := journalChange(tx); err != nil {
					return err
				}
				return tx.ConfirmMirror(newStart)
			}); err != nil {
				return res, err
			}
		}
		return res, r.removeLeftovers()
	}

	r.fp.Hit("mirror.before-write")
	err = smsini.WriteWithHook(r.cfg.Ini, file, desired, func(temp string) error {
		err := r.marker.update(func(tx *journal.Tx) error {
			if err := journalChange(tx); err != nil {
				return err
			}
			return tx.SetMirrorPendingAdd(newStart, temp, added)
		})
		r.fp.Hit("mirror.before-rename")
		return err
	})
	if err != nil {
		return res, fmt.Errorf("rewrite %s: %w", r.cfg.Ini, err)
	}
	r.fp.Hit("mirror.after-write")
	res.wrote = true
	// The journal learns that the rewrite landed now; were this lost, the
	// absent temporary file tells recovery the same.
	if err := r.cfg.Journal.Update(func(tx *journal.Tx) error { return tx.ConfirmMirror(newStart) }); err != nil {
		return res, err
	}
	return res, r.removeLeftovers()
}

// addRequest is a batch smswork add --atomic appends to SMS.INI and
// ingests in the same reconciliation, so that the journal knows the batch
// is atomic from the instant SMS.INI lists it.
type addRequest struct {
	entries []journal.NewEntry
	atomic  bool
	choice  journal.RollbackChoice
	// batch is the batch ingested, once it is.
	batch journal.Batch
}

// Add appends entries to SMS.INI as one batch the journal records as
// atomic (with choice its fate after a rollback): smswork add --atomic.
// It is a start like any other: an interrupted SMS.INI rewrite is
// resolved and entries appended by others are ingested first (as their
// own batch, before this one). A crash before the journal records the
// batch leaves nothing; after it, the next reconciliation writes the
// batch into SMS.INI if the rewrite did not land (journal package doc,
// "The mirror protocol").
func Add(ctx context.Context, cfg Config, entries []journal.NewEntry, choice journal.RollbackChoice) (journal.Batch, error) {
	r := newRunner(cfg)
	if choice == "" {
		choice = journal.RollbackKeep
	}
	add := &addRequest{entries: entries, atomic: true, choice: choice}
	if _, err := r.syncMirror(ctx, false, add); err != nil {
		return journal.Batch{}, err
	}
	return add.batch, nil
}

// mirrorDirty reports whether the journal's mirror state needs a write even
// though SMS.INI is right (an old pending record, or a start behind).
func (r *runner) mirrorDirty(w *window) bool {
	return w.start != w.firstOpen
}

// removeLeftovers removes temporary files of SMS.INI rewrites that never
// landed: the one the journal named (which it has just forgotten) and any
// created before a crash let the journal name it. Callers hold the lock.
func (r *runner) removeLeftovers() error {
	dir, base := filepath.Dir(r.cfg.Ini), filepath.Base(r.cfg.Ini)
	names, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("list %s: %w", dir, err)
	}
	removed := false
	for _, n := range names {
		name := n.Name()
		if !strings.HasPrefix(name, fsroot.TempPrefix+base+"-") || !strings.HasSuffix(name, ".tmp") {
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("remove leftover %s: %w", name, err)
		}
		removed = true
	}
	if removed {
		return fsroot.SyncDir(dir)
	}
	return nil
}
