package crashtest

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"smswork/journal"
	"smswork/ops"
	"smswork/smsini"
)

// The transactional scenarios.
const (
	// TxKeep: run --atomic on the batch and a failing entry; the batch
	// is rolled back and stays queued.
	TxKeep = "atomic keep"
	// TxDrop: the same with --on-rollback=drop: the batch is rolled back
	// and leaves the queue.
	TxDrop = "atomic drop"
	// TxUndo: the batch ran to completion; smswork undo 1 puts the tree
	// back as it was before it.
	TxUndo = "undo"
	// TxPrune: the batch ran to completion; run --keep-backups 0 removes
	// its backups (the retention setting), after which it can no longer be
	// undone. The files stay as the batch left them.
	TxPrune = "retention"
)

// finished says whether scenario mode starts from the batch run to
// completion.
func finished(mode string) bool { return mode == TxUndo || mode == TxPrune }

// TxCase is one transactional scenario in one sandbox: the process a test
// crashes, the one that recovers, and what both must leave.
type TxCase struct {
	S    *Sandbox
	W    *TxWorkload
	Mode string // TxKeep, TxDrop, TxUndo or TxPrune
	// Entries is the batch SMS.INI listed when it was ingested.
	Entries []string
	// Before is the drive tree before the batch ran: what a rollback and
	// an undo must restore. After (TxUndo, TxPrune) is the tree once it
	// ran.
	Before, After Tree
	// IniBefore is SMS.INI before the crashed process; IniAfter what it
	// must hold at the end.
	IniBefore, IniAfter []byte
	// Crash is the command line of the process a test crashes; Recover
	// that of the next start, run to completion.
	Crash, Recover []string
}

// NewTxCase installs the workload of scenario mode in s and, for TxUndo
// and TxPrune, runs the batch to completion (without a crash).
func NewTxCase(s *Sandbox, w *TxWorkload, mode string) (*TxCase, error) {
	c := &TxCase{S: s, W: w, Mode: mode, Entries: w.AtomicEntries()}
	switch mode {
	case TxKeep:
		c.Crash = []string{"run", "--atomic"}
	case TxDrop:
		c.Crash = []string{"run", "--atomic", "--on-rollback=drop"}
	case TxUndo:
		c.Entries = w.Batch
		c.Crash = []string{"undo", "1"}
		c.Recover = []string{"run"}
	case TxPrune:
		c.Entries = w.Batch
		c.Crash = []string{"run", "--keep-backups", "0"}
	default:
		return nil, fmt.Errorf("unknown transactional scenario %q", mode)
	}
	if c.Recover == nil {
		c.Recover = c.Crash // the boot unit runs the same command again
	}
	if err := w.Install(s, c.Entries); err != nil {
		return nil, err
	}
	var err error
	if c.Before, err = snapshotTx(s); err != nil {
		return nil, err
	}
	if c.IniBefore, err = os.ReadFile(s.Ini); err != nil {
		return nil, err
	}
	c.IniAfter = c.IniBefore
	if mode == TxDrop {
		c.IniAfter = TxIni(nil)
	}
	if !finished(mode) {
		return c, nil
	}
	o, err := s.Run(nil, "run")
	if err != nil {
		return nil, err
	}
	if o.Code != 0 || o.Killed {
		return nil, fmt.Errorf("the batch: run exit %d: %s", o.Code, o.Stderr)
	}
	if c.After, err = snapshotTx(s); err != nil {
		return nil, err
	}
	if len(c.Before.Diff(c.After)) == 0 {
		return nil, errors.New("the batch changed nothing")
	}
	if c.IniBefore, err = os.ReadFile(s.Ini); err != nil {
		return nil, err
	}
	if !bytes.Equal(c.IniBefore, TxIni(nil)) {
		return nil, fmt.Errorf("SMS.INI after the batch ran:\n%s", c.IniBefore)
	}
	c.IniAfter = c.IniBefore
	return c, nil
}

// TxCrash is what the journal said right after a crash.
type TxCrash struct {
	// Undo says the batch's rollback or undo had started: in progress,
	// or finished.
	Undo bool
}

// txJournal is what the journal says of the scenario's batch (batch 1).
type txJournal struct {
	batch  *journal.Batch // nil when not ingested yet
	second bool           // a batch 2 exists
	// undoing lists the batches whose undo has started and not finished.
	undoing []uint64
	// uncommitted lists the entries of the queue not committed (staged
	// ones are not).
	uncommitted []string
}

// readTxJournal opens the journal read-only, as a second process would.
func readTxJournal(s *Sandbox) (*txJournal, error) {
	tj := &txJournal{}
	if _, err := os.Stat(s.Journal); errors.Is(err, os.ErrNotExist) {
		return tj, nil // never opened: nothing committed
	}
	j, err := journal.Open(s.Journal, journal.Options{ReadOnly: true})
	if errors.Is(err, os.ErrNotExist) {
		return tj, nil // its creation was cut short: nothing committed
	}
	if err != nil {
		if j != nil {
			_ = j.Close() // see checkCrashed
		}
		return nil, fmt.Errorf("journal does not open: %w", err)
	}
	defer func() { _ = j.Close() }()
	err = j.View(func(tx *journal.Tx) error {
		b, err := tx.Batch(1)
		switch {
		case errors.Is(err, journal.ErrNotFound):
		case err != nil:
			return err
		default:
			tj.batch = b
		}
		if _, err := tx.Batch(2); err == nil {
			tj.second = true
		} else if !errors.Is(err, journal.ErrNotFound) {
			return err
		}
		if tj.undoing, err = tx.Undoing(); err != nil {
			return err
		}
		return tx.Queue(func(e *journal.Entry) error {
			if e.State != journal.Committed {
				tj.uncommitted = append(tj.uncommitted, e.Raw)
			}
			return nil
		})
	})
	if err != nil {
		return nil, fmt.Errorf("journal unreadable: %w", err)
	}
	return tj, nil
}

// undoStarted says whether the journal records the batch's rollback or
// undo as started.
func (c *TxCase) undoStarted(tj *txJournal) bool {
	b := tj.batch
	if b == nil {
		return false
	}
	if c.Mode == TxUndo {
		return b.Undo != nil || b.State == journal.BatchUndone
	}
	return b.Undo != nil || b.State == journal.BatchDropped || b.RolledBack > 0
}

// CheckCrashed checks what must hold right after a crash, before the next
// start: SMS.INI parses and its bytes outside PendingWork are unchanged;
// PendingWork lists the whole batch (an atomic batch stays listed until
// it ends), or nothing once a dropped batch is committed as dropped; an
// undo never touches SMS.INI; every operation the journal has not
// committed is listed; the journal opens read-only; status says whether
// an undo is in progress as the journal does; and an undo whose start is
// not durable has changed nothing, one whose end is has restored
// everything.
func (c *TxCase) CheckCrashed() (TxCrash, []string) {
	st, v := c.checkCrashed()
	tally.violations(c.S.kind(), len(v))
	return st, v
}

func (c *TxCase) checkCrashed() (TxCrash, []string) {
	var st TxCrash
	var v []string
	data, err := os.ReadFile(c.S.Ini)
	if err != nil {
		return st, []string{fmt.Sprintf("SMS.INI unreadable: %v", err)}
	}
	f, err := smsini.Parse(c.S.Ini, data)
	if err != nil {
		return st, []string{fmt.Sprintf("SMS.INI does not parse: %v", err)}
	}
	got, err := outside(data)
	want, _ := outside(c.IniBefore)
	if err != nil || got != want {
		v = append(v, "SMS.INI bytes outside PendingWork changed")
	}
	texts := f.Texts()
	switch {
	case finished(c.Mode):
		if !bytes.Equal(data, c.IniBefore) {
			v = append(v, fmt.Sprintf("SMS.INI changed, with nothing queued:\n%s", data))
		}
	case equal(texts, c.Entries):
	case len(texts) == 0 && c.Mode == TxDrop:
	default:
		v = append(v, fmt.Sprintf("SMS.INI lists %q: neither the whole batch nor (drop) nothing", texts))
	}
	tj, err := readTxJournal(c.S)
	if err != nil {
		return st, append(v, err.Error())
	}
	listed := map[string]int{}
	for _, t := range texts {
		listed[t]++
	}
	for _, raw := range tj.uncommitted {
		if listed[raw] == 0 {
			v = append(v, fmt.Sprintf("uncommitted operation %q is not in SMS.INI (the mirror leads the journal)", raw))
		}
		listed[raw]--
	}
	if len(texts) == 0 && c.Mode == TxDrop && (tj.batch == nil || tj.batch.State != journal.BatchDropped) {
		v = append(v, "SMS.INI lists none of the batch, but the journal has not dropped it")
	}
	if tj.second {
		v = append(v, "the journal holds a second batch: the batch was taken in twice")
	}
	st.Undo = c.undoStarted(tj)
	inProgress := 0
	if tj.batch != nil && tj.batch.Undo != nil {
		inProgress = 1
	}
	v = append(v, c.checkStatus(inProgress, false)...)
	if !finished(c.Mode) {
		return st, v
	}
	tree, err := snapshotTx(c.S)
	if err != nil {
		return st, append(v, err.Error())
	}
	switch {
	case c.Mode == TxPrune:
		for _, d := range c.After.Diff(tree) {
			v = append(v, "the retention setting changed the tree: "+d)
		}
	case !st.Undo:
		for _, d := range c.After.Diff(tree) {
			v = append(v, "undo not started, yet the tree changed: "+d)
		}
	case tj.batch.Undo == nil:
		for _, d := range c.Before.Diff(tree) {
			v = append(v, "undo finished, yet the tree is not as before the batch: "+d)
		}
	}
	return st, v
}

// undoInProgress matches status's count of interrupted undos (with the
// command that finishes them when there are some).
var undoInProgress = regexp.MustCompile(`(?m)^undo in progress(?: \(the next start finishes it: [^\n]*\))?: (\d+)$`)

// checkStatus runs smswork status: it must answer (0 nothing to do, 1 an
// operation failed, 4 work waiting: its monitoring codes) and count
// inProgress undos in progress, and (atomicLeft) one atomic batch with
// work left.
func (c *TxCase) checkStatus(inProgress int, atomicLeft bool) []string {
	o, err := c.S.Run(nil, "status")
	if err != nil || (o.Code != 0 && o.Code != 1 && o.Code != 4) {
		return []string{fmt.Sprintf("status: exit %d %v: %s", o.Code, err, o.Stderr)}
	}
	var v []string
	m := undoInProgress.FindStringSubmatch(o.Stdout)
	if n, _ := strconv.Atoi(mOr(m, 1)); m == nil || n != inProgress {
		v = append(v, fmt.Sprintf("status does not say %d undo in progress:\n%s", inProgress, o.Stdout))
	}
	if atomicLeft && !strings.Contains(o.Stdout, "atomic batches with work left: 1\n") {
		v = append(v, fmt.Sprintf("status does not list the kept atomic batch:\n%s", o.Stdout))
	}
	return v
}

func mOr(m []string, i int) string {
	if i < len(m) {
		return m[i]
	}
	return ""
}

// CheckFinal checks the end of a scenario: o is the last process, the
// crashed one when it was not killed (crashed is then nil), else the next
// start run to completion. A rollback and an undo leave the drive tree
// byte-identical to before the batch (content, permission bits,
// modification times), and the retention setting leaves it as the batch
// did; SMS.INI is the bytes before (keep, undo, retention) or the same
// with an empty PendingWork (drop); verify is clean; status shows no undo
// in progress; every operation has its audit records and each one that
// ran is undone exactly once, newest first; the backup folder is empty
// (the backups of what was undone, dropped or pruned are gone); an undone
// batch refuses a second undo (exit status 2, "undone already"), a pruned
// one any undo.
func (c *TxCase) CheckFinal(o Outcome, crashed *TxCrash) []string {
	v := c.checkFinal(o, crashed)
	tally.violations(c.S.kind(), len(v))
	return v
}

func (c *TxCase) checkFinal(o Outcome, crashed *TxCrash) []string {
	var v []string
	codes := []int{1}
	switch {
	case finished(c.Mode):
		codes = []int{0}
	case c.Mode == TxDrop && crashed != nil && crashed.Undo:
		// A start that only finishes a rollback, and drops the batch,
		// leaves nothing to do.
		codes = []int{0, 1}
	}
	if o.Killed || !slices.Contains(codes, o.Code) {
		v = append(v, fmt.Sprintf("%v: exit %d (killed %v), want one of %v: %s", c.lastArgs(crashed), o.Code, o.Killed, codes, o.Stderr))
	}
	if c.Mode == TxUndo && crashed != nil && !crashed.Undo {
		// The undo never started: the batch is as it ran, and can be
		// undone now.
		v = append(v, c.diffTree("the undo had not started", c.After)...)
		if o, err := c.S.Run(nil, "undo", "1"); err != nil || o.Code != 0 {
			v = append(v, fmt.Sprintf("undo 1 after a crash before the undo started: exit %d %v: %s", o.Code, err, o.Stderr))
		}
	}
	if c.Mode == TxPrune {
		v = append(v, c.diffTree("at the end", c.After)...)
	} else {
		v = append(v, c.diffTree("at the end", c.Before)...)
	}
	if ini, err := os.ReadFile(c.S.Ini); err != nil || !bytes.Equal(ini, c.IniAfter) {
		v = append(v, fmt.Sprintf("SMS.INI at the end:\n%s\nwant\n%s", ini, c.IniAfter))
	}
	if o, err := c.S.Run(nil, "verify"); err != nil || o.Code != 0 {
		v = append(v, fmt.Sprintf("verify: exit %d %v: %s%s", o.Code, err, o.Stdout, o.Stderr))
	}
	v = append(v, c.checkStatus(0, c.Mode == TxKeep)...)
	v = append(v, c.checkBatch()...)
	recs, err := history(c.S)
	if err != nil {
		return append(v, err.Error())
	}
	v = append(v, checkTxHistory(recs, c.Entries, c.Mode)...)
	if es, err := os.ReadDir(c.S.Journal + ".backups"); err != nil || len(es) > 0 {
		var names []string
		for _, e := range es {
			names = append(names, e.Name())
		}
		v = append(v, fmt.Sprintf("the backup folder holds %q at the end (%v): backups no batch can use", names, err))
	}
	if finished(c.Mode) {
		want, tree := "undone already", c.Before
		if c.Mode == TxPrune {
			want, tree = "retention", c.After
		}
		o, err := c.S.Run(nil, "undo", "1")
		if err != nil || o.Code != 2 || !strings.Contains(o.Stderr, want) {
			v = append(v, fmt.Sprintf("undo 1 at the end: exit %d %v, want 2 and %q: %s", o.Code, err, want, o.Stderr))
		}
		v = append(v, c.diffTree("after a refused undo", tree)...)
	}
	return v
}

func (c *TxCase) lastArgs(crashed *TxCrash) []string {
	if crashed == nil {
		return c.Crash
	}
	return c.Recover
}

// diffTree compares the drive tree with want.
func (c *TxCase) diffTree(when string, want Tree) []string {
	tree, err := snapshotTx(c.S)
	if err != nil {
		return []string{err.Error()}
	}
	var v []string
	for _, d := range want.Diff(tree) {
		v = append(v, fmt.Sprintf("tree %s: %s", when, d))
	}
	return v
}

// checkBatch checks what the journal says of the batch at the end.
func (c *TxCase) checkBatch() []string {
	tj, err := readTxJournal(c.S)
	if err != nil {
		return []string{err.Error()}
	}
	b := tj.batch
	if b == nil {
		return []string{"the journal has no batch 1"}
	}
	var v []string
	if b.Undo != nil || len(tj.undoing) > 0 {
		v = append(v, fmt.Sprintf("an undo is still in progress: batch 1 %+v, undoing %v", b.Undo, tj.undoing))
	}
	if tj.second {
		v = append(v, "the journal holds a second batch: the batch was taken in twice")
	}
	want := map[string]journal.BatchState{TxKeep: "", TxDrop: journal.BatchDropped,
		TxUndo: journal.BatchUndone, TxPrune: journal.BatchDone}[c.Mode]
	if b.State != want {
		v = append(v, fmt.Sprintf("batch 1 is %q, want %q", b.State, want))
	}
	if !finished(c.Mode) && (!b.Atomic || b.RolledBack == 0 && c.Mode == TxKeep) {
		v = append(v, fmt.Sprintf("batch 1: atomic %v, rolled back %d times", b.Atomic, b.RolledBack))
	}
	if c.Mode == TxPrune && b.Backups != journal.BackupsPruned {
		v = append(v, fmt.Sprintf("batch 1's backups are %q, want %q", b.Backups, journal.BackupsPruned))
	}
	return v
}

// undoable says whether record r is of an operation that ran (it reached
// its intent) and so may have changed files: what an undo must undo.
func undoable(r *journal.Record) bool {
	if r.Intent == nil {
		return false
	}
	switch r.Outcome {
	case ops.Done, ops.AlreadyDone, ops.Failed, ops.Held:
		return true
	}
	return false
}

// checkTxHistory checks the audit trail of scenario mode, whose one batch
// holds entries. Each attempt at the batch gives every entry one record
// (done or already done; the failing last entry of an atomic batch:
// failed, still queued); every record of an operation that ran is undone
// by exactly one record of outcome undone (Undoes names it), but in
// TxPrune, where none is, and the records of one undo come newest first;
// a dropped batch gives each entry one dropped record, after its undo.
func checkTxHistory(recs []journal.Record, entries []string, mode string) []string {
	var v []string
	byID := map[uint64]*journal.Record{}
	undoneBy := map[uint64]int{}
	finals := make([]int, len(entries))
	dropped := make([]int, len(entries))
	var lastUndoes uint64 // Undoes of the previous record, when it was an undo step
	lastUndone := -1      // index of the last undo record
	for i := range recs {
		r := &recs[i]
		byID[r.ID] = r
		if r.Batch != 1 || r.Pos < 1 || r.Pos > len(entries) || r.Raw != entries[r.Pos-1] {
			v = append(v, fmt.Sprintf("record %d: batch %d entry %d %q is not of the batch", r.ID, r.Batch, r.Pos, r.Raw))
			continue
		}
		last := r.Pos == len(entries) && !finished(mode)
		switch {
		case r.Outcome == ops.Undone && mode != TxPrune:
			o := byID[r.Undoes]
			switch {
			case o == nil:
				v = append(v, fmt.Sprintf("record %d undoes record %d, which is not before it", r.ID, r.Undoes))
			case o.Seq != r.Seq || !undoable(o):
				v = append(v, fmt.Sprintf("record %d undoes record %d (operation %d, %s), not an operation of its own that ran", r.ID, r.Undoes, o.Seq, o.Outcome))
			}
			undoneBy[r.Undoes]++
			if undoneBy[r.Undoes] > 1 {
				v = append(v, fmt.Sprintf("record %d undoes record %d again: a step undone twice", r.ID, r.Undoes))
			}
			if lastUndoes != 0 && r.Undoes >= lastUndoes {
				v = append(v, fmt.Sprintf("record %d undoes record %d after record %d: not newest first", r.ID, r.Undoes, lastUndoes))
			}
			lastUndoes, lastUndone = r.Undoes, i
			continue
		case r.Outcome == ops.Dropped && mode == TxDrop:
			dropped[r.Pos-1]++
		case last && r.Outcome == ops.Failed && r.StillQueued:
			finals[r.Pos-1]++
		case !last && (r.Outcome == ops.Done || r.Outcome == ops.AlreadyDone):
			finals[r.Pos-1]++
		default:
			v = append(v, fmt.Sprintf("record %d, entry %d %q: outcome %s (still queued %v) %s", r.ID, r.Pos, r.Raw, r.Outcome, r.StillQueued, r.Result.Err))
		}
		lastUndoes = 0
	}
	for id, r := range byID {
		if undoable(r) && undoneBy[id] == 0 && mode != TxPrune {
			v = append(v, fmt.Sprintf("record %d, entry %d %q (%s) was never undone", id, r.Pos, r.Raw, r.Outcome))
		}
	}
	attempts := 1
	if !finished(mode) {
		attempts = max(finals[len(entries)-1], 1)
	}
	for i, n := range finals {
		if n != attempts {
			v = append(v, fmt.Sprintf("entry %d %q has %d records, want %d (one per attempt at the batch)", i+1, entries[i], n, attempts))
		}
	}
	for i, n := range dropped {
		if mode == TxDrop && n != 1 {
			v = append(v, fmt.Sprintf("entry %d %q has %d dropped records, want 1", i+1, entries[i], n))
		}
	}
	if mode == TxDrop {
		for i := range recs {
			if recs[i].Outcome == ops.Dropped && i < lastUndone {
				v = append(v, fmt.Sprintf("record %d: dropped before the undo ended", recs[i].ID))
			}
		}
	}
	return v
}
