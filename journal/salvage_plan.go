package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"sort"
)

// salvagePlan is the new journal a salvage writes.
type salvagePlan struct {
	result *SalvageResult
	// entries is the new queue, in order; hold says why each one to be
	// held is (by seq).
	entries []*Entry
	hold    map[uint64]string
	batches map[uint64]*Batch
	// mirror is the new mirror state; nextSeq, nextBatch the numbers on.
	mirror    MirrorState
	nextSeq   uint64
	nextBatch uint64
	// records are the history's stored values in key order, with the
	// markers of lost records among them; head its last hash and
	// nextRec the number on.
	records []plannedRecord
	head    string
	nextRec uint64
	undo    map[string][]byte
	undoing []uint64
	// prunePending is set when batches lost their undo steps: the next
	// run removes their backups.
	prunePending bool
	findings     []string
}

// plannedRecord is one history value of the new journal.
type plannedRecord struct {
	key    uint64
	stored []byte
}

// The reasons a salvage holds an operation, in the order it checks them.
const (
	holdIntent = "the journal was damaged and salvaged: this operation had an intent marker and no commit, so it may have run, in part or whole"
	holdLost   = "the journal was damaged and salvaged: this operation's record was lost and SMS.INI still lists it, so whether it ran is unknown"
	holdStale  = "the journal was damaged and salvaged: a meta page was damaged, so its newest transaction may be lost, and this operation may have started in it"
	holdNoMap  = "the journal was damaged and salvaged: which SMS.INI entries it had run could not be told, so this entry's state is unknown"
	holdAtomic = "the journal was damaged and salvaged: its atomic batch lost records a rollback would need, so it could not be undone whole"
)

// planSalvage plans the new journal from what rd could read and SMS.INI's
// entries ini. The rules, so that no operation runs twice and none is
// lost without a held entry saying so:
//
//   - When the journal's mirror state and numbers survive and SMS.INI
//     lists what they say (the operations from the mirror's start, each
//     entry's text the journal's, then entries not taken in yet), the
//     queue is kept as it was: committed and queued operations stay,
//     appended entries stay for the next run to take in. An operation
//     with an intent marker and no commit is held; one whose record is
//     lost is held with the text SMS.INI lists at its place (it is not
//     committed: SMS.INI would no longer list it otherwise).
//   - Otherwise every SMS.INI entry is held, as a new operation: which of
//     them the journal had run cannot be told. Operations of the damaged
//     queue that SMS.INI does not list are done (SMS.INI only drops an
//     operation once it is committed): they are not carried over.
//   - When a meta page was damaged, the newest transaction may be lost:
//     the first operation the drain would have started next is held too.
//   - An operation of an atomic batch that lost undo steps, or whose batch
//     record was lost, is held; a batch that lost undo steps can no longer
//     be undone (its backups are pruned at the next run).
//   - The history keeps every record that decodes and matches its hash,
//     unchanged; each run of lost records gets one marker (outcome lost)
//     that links the chain across it, and a last record (outcome
//     salvaged) says what the salvage kept, lost and held.
func planSalvage(rd *salvageRead, ini []string, opts SalvageOptions, broken string) *salvagePlan {
	p := &salvagePlan{result: &SalvageResult{Broken: broken, Damage: rd.findings, Stale: rd.stale, Scattered: rd.scattered},
		hold: map[uint64]string{}, batches: map[uint64]*Batch{}, undo: map[string][]byte{}}
	for _, f := range rd.findings {
		if len(p.findings) < 10 {
			p.findings = append(p.findings, f.Error())
		}
	}
	for id, b := range rd.batches {
		c := *b
		p.batches[id] = &c
	}
	p.nextBatch = rd.nextBatch()
	noUndo := p.planUndo(rd)
	if w, ok := rd.window(ini); ok {
		p.result.Exact = true
		p.planExact(rd, ini, w, opts)
	} else {
		p.planHeldAll(rd, ini, opts)
	}
	p.holdAtomic(noUndo)
	p.planHistory(rd, opts, broken)
	for id := range noUndo {
		p.result.NoUndo = append(p.result.NoUndo, id)
	}
	sort.Slice(p.result.NoUndo, func(a, b int) bool { return p.result.NoUndo[a] < p.result.NoUndo[b] })
	p.result.Queue = len(p.entries)
	return p
}

// salvageWindow is what the journal says SMS.INI lists.
type salvageWindow struct {
	start, end uint64
	listed     int // entries SMS.INI lists: end-start, less an add's batch not written in
	mirror     MirrorState
}

// window returns what the journal says SMS.INI lists, when its state
// survived whole and SMS.INI's entries agree with it.
func (rd *salvageRead) window(ini []string) (salvageWindow, bool) {
	var w salvageWindow
	next, ok := rd.metaU64(keyNextSeq)
	if !ok || rd.metaLost || rd.queueGone {
		return w, false
	}
	w.mirror = MirrorState{Start: 1}
	if v, ok := rd.meta[string(keyMirror)]; ok {
		if json.Unmarshal(v, &w.mirror) != nil {
			return w, false
		}
	}
	w.start, w.end = w.mirror.Start, next
	if w.start > w.end {
		return w, false
	}
	if pm := w.mirror.Pending; pm != nil {
		if _, err := os.Lstat(pm.Temp); errors.Is(err, os.ErrNotExist) {
			w.start = pm.Start // the rename happened
		} else if err != nil {
			return w, false
		}
	}
	w.listed = int(w.end - w.start)
	if pm := w.mirror.Pending; pm != nil && w.start == w.mirror.Start && pm.Added >= w.start && pm.Added < w.end {
		w.listed = int(pm.Added - w.start)
	}
	if len(ini) < w.listed {
		return w, false
	}
	for seq, e := range rd.queue {
		switch {
		case seq >= w.end:
			return w, false
		case seq < w.start && e.State != Committed:
			return w, false
		case seq >= w.start && int(seq-w.start) < w.listed && asStoredText(ini[seq-w.start]) != e.Raw:
			return w, false
		}
	}
	for seq := w.start; seq < w.end; seq++ {
		if rd.queue[seq] == nil && !rd.queueBad[seq] && !rd.queueLostHas(seq) {
			return w, false // neither kept, nor damaged: the state is contradictory
		}
	}
	return w, true
}

// planExact keeps the queue of the window w, holding what cannot be known.
func (p *salvagePlan) planExact(rd *salvageRead, ini []string, w salvageWindow, opts SalvageOptions) {
	p.mirror, p.nextSeq = w.mirror, w.end
	for seq := w.start; seq < w.end; seq++ {
		i := int(seq - w.start)
		e := rd.queue[seq]
		if e == nil && i >= w.listed {
			// Part of an add's batch that SMS.INI never listed is lost:
			// the add never finished, and none of it ever ran.
			for s := w.start + uint64(w.listed); s < w.end; s++ {
				p.result.Dropped = append(p.result.Dropped, fmt.Sprintf("operation %d: part of an add whose rewrite of SMS.INI never landed, lost; it never ran", s))
			}
			p.entries = dropFrom(p.entries, w.start+uint64(w.listed))
			p.nextSeq = w.start + uint64(w.listed)
			p.mirror = MirrorState{Start: p.mirror.Start}
			break
		}
		if e == nil {
			e = p.fromIni(seq, ini[i], opts)
			p.hold[seq] = holdLost
		} else if e.State == Intent {
			p.hold[seq] = holdIntent
		}
		p.entries = append(p.entries, e)
	}
	for seq, e := range rd.queue {
		if seq < w.start {
			p.result.Dropped = append(p.result.Dropped, fmt.Sprintf("operation %d %q: %s, no longer in SMS.INI", seq, e.Raw, e.State))
		}
	}
	if rd.stale {
		p.holdNext()
	}
	p.ensureBatches()
}

func dropFrom(es []*Entry, seq uint64) []*Entry {
	out := es[:0]
	for _, e := range es {
		if e.Seq < seq {
			out = append(out, e)
		}
	}
	return out
}

// holdNext holds the operation the drain would have started next, and,
// if that one had an intent marker, the one after: the transaction a
// damaged meta page may have lost could have started either.
func (p *salvagePlan) holdNext() {
	for _, e := range p.entries {
		if e.State == Committed || e.State == Staged {
			continue
		}
		if e.State == Held && e.Decision == "" {
			return // the queue was stopped there
		}
		if _, ok := p.hold[e.Seq]; !ok {
			p.hold[e.Seq] = holdStale
		}
		if e.State != Intent {
			return
		}
	}
}

// fromIni is a held operation re-created from SMS.INI's entry text, its
// journal record lost: in the batch that numbers it, when known.
func (p *salvagePlan) fromIni(seq uint64, text string, opts SalvageOptions) *Entry {
	e := &Entry{Seq: seq, Raw: asStoredText(text), State: Queued}
	if opts.Parse != nil {
		if op, err := opts.Parse(text); err == nil {
			e.Op = *op
		}
	}
	for _, b := range p.batches {
		if seq >= b.FirstSeq && seq < b.FirstSeq+uint64(b.Entries) {
			e.Batch, e.Pos = b.ID, int(seq-b.FirstSeq)+1
		}
	}
	return e
}

// planHeldAll holds every SMS.INI entry as a new operation.
func (p *salvagePlan) planHeldAll(rd *salvageRead, ini []string, opts SalvageOptions) {
	first := rd.nextSeqFloor()
	p.nextSeq = first + uint64(len(ini))
	p.mirror = MirrorState{Start: first}
	for seq, e := range rd.queue {
		if e.State != Committed {
			p.result.Dropped = append(p.result.Dropped, fmt.Sprintf("operation %d %q: %s; the SMS.INI entries that may be it are held", seq, e.Raw, e.State))
		}
	}
	sort.Strings(p.result.Dropped)
	for i, text := range ini {
		e := p.fromIni(first+uint64(i), text, opts)
		e.Batch, e.Pos = 0, 0
		p.entries = append(p.entries, e)
		p.hold[e.Seq] = holdNoMap
	}
	p.ensureBatches()
}

// ensureBatches gives every operation of the new queue a batch record:
// its own when it survived, else one standing for it (not atomic), and
// a new batch for each run of operations whose batch is unknown.
func (p *salvagePlan) ensureBatches() {
	var run *Batch
	for _, e := range p.entries {
		if e.Batch == 0 {
			if run == nil || run.FirstSeq+uint64(run.Entries) != e.Seq {
				run = &Batch{ID: p.nextBatch, FirstSeq: e.Seq, Ini: "(salvage)"}
				p.batches[run.ID] = run
				p.nextBatch++
			}
			run.Entries++
			e.Batch, e.Pos = run.ID, run.Entries
			continue
		}
		run = nil
		b, ok := p.batches[e.Batch]
		if !ok {
			b = &Batch{ID: e.Batch, FirstSeq: e.Seq - uint64(max(e.Pos, 1)-1), Ini: "(salvage: batch record lost)"}
			p.batches[e.Batch] = b
			p.batchLost(e.Batch)
		}
		b.Entries = max(b.Entries, e.Pos)
	}
}

// batchLost holds the open operations of a batch whose record was lost:
// whether it was all-or-nothing cannot be known.
func (p *salvagePlan) batchLost(id uint64) {
	for _, e := range p.entries {
		if e.Batch == id && e.State != Committed && e.State != Staged {
			if _, ok := p.hold[e.Seq]; !ok {
				p.hold[e.Seq] = holdAtomic
			}
		}
	}
}

// planUndo keeps the undo steps that could be read and returns the
// batches that lost some (or whose record a step names was lost): they
// can no longer be undone.
func (p *salvagePlan) planUndo(rd *salvageRead) map[uint64]bool {
	noUndo := map[uint64]bool{}
	for k, v := range rd.undo {
		p.undo[k] = v
		id, rec := prefixU64([]byte(k)), prefixU64([]byte(k)[16:])
		if _, ok := rd.history[rec]; !ok {
			noUndo[id] = true
		}
	}
	for id, b := range p.batches {
		lost := rd.undoGone
		for _, r := range rd.undoLost {
			lost = lost || r.has(id)
		}
		if lost {
			noUndo[id] = true
		}
		_ = b
	}
	for id := range noUndo {
		b, ok := p.batches[id]
		if !ok || b.Backups == BackupsPruned {
			delete(noUndo, id)
			continue
		}
		b.Backups = BackupsPruning
		p.prunePending = true
	}
	for _, b := range p.batches {
		if len(b.Discard) > 0 {
			p.prunePending = true
		}
		if b.Undo != nil && noUndo[b.ID] {
			// Its undo cannot be finished whole: it is given up, and
			// its open operations are held (holdAtomic); the batch is
			// partly undone, as the audit's undone records say.
			b.Undo = nil
			p.result.Dropped = append(p.result.Dropped, fmt.Sprintf("the undo of batch %d, in progress: it lost undo steps; what it restored stays restored", b.ID))
			continue
		}
		if b.Undo != nil {
			p.undoing = append(p.undoing, b.ID)
		}
	}
	sort.Slice(p.undoing, func(a, b int) bool { return p.undoing[a] < p.undoing[b] })
	return noUndo
}

// holdAtomic holds the open operations of atomic batches that lost undo
// steps (among them those whose rollback was in progress): a rollback
// could not undo them whole.
func (p *salvagePlan) holdAtomic(noUndo map[uint64]bool) {
	for id := range noUndo {
		if b := p.batches[id]; b != nil && b.Atomic && b.State == "" {
			p.batchLost(id)
		}
	}
}

// nextBatch is the first batch number no surviving part of rd uses.
func (rd *salvageRead) nextBatch() uint64 {
	n, _ := rd.metaU64(keyNextBatch)
	n = max(n, 1)
	for id := range rd.batches {
		n = max(n, id+1)
	}
	for _, e := range rd.queue {
		n = max(n, e.Batch+1)
	}
	for _, r := range rd.batchesLost {
		if r.hi != math.MaxUint64 {
			n = max(n, r.hi+1)
		}
	}
	for _, v := range rd.history {
		if r, err := DecodeRecord(v); err == nil {
			n = max(n, r.Batch+1)
		}
	}
	return n
}

// nextSeqFloor is the first operation number no surviving part of rd
// uses: new operations are numbered from it.
func (rd *salvageRead) nextSeqFloor() uint64 {
	n, _ := rd.metaU64(keyNextSeq)
	n = max(n, 1)
	for seq := range rd.queue {
		n = max(n, seq+1)
	}
	for seq := range rd.queueBad {
		n = max(n, seq+1)
	}
	for _, r := range rd.queueLost {
		if r.hi != math.MaxUint64 {
			n = max(n, r.hi+1)
		}
	}
	for _, b := range rd.batches {
		n = max(n, b.FirstSeq+uint64(b.Entries))
	}
	for _, v := range rd.history {
		if r, err := DecodeRecord(v); err == nil {
			n = max(n, r.Seq+1)
		}
	}
	return n
}
