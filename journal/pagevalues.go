package journal

import (
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"smswork/ops"
)

// ParseFunc parses a PendingWork entry into its operation (ops.Parse).
type ParseFunc func(string) (*ops.Op, error)

// journalValues are the values of the meta, queue and batches buckets
// and the newest history record, as the page check reads them: bbolt
// keeps no checksum of a value, so a flipped byte that still decodes is
// caught, where it can be, by what the values say of each other.
type journalValues struct {
	meta       map[string][]byte
	queue      map[uint64]*Entry
	batches    map[uint64]*Batch
	lastKey    []byte
	lastRecord []byte
	bad        bool // a value did not decode (reported already)
}

// collect returns the visitor of bucket's leaf elements: each value must
// decode, and a queue entry or batch be stored under its own number.
func (vs *journalValues) collect(bucket string, errs *[]error) func(k, v []byte, flags uint32) {
	bad := func(k []byte, format string, a ...any) {
		vs.bad = true
		*errs = append(*errs, fmt.Errorf("%w: bucket %s, key %q: %s", ErrCorrupt, bucket, k, fmt.Sprintf(format, a...)))
	}
	return func(k, v []byte, flags uint32) {
		if flags&leafIsBucket != 0 {
			bad(k, "a bucket where a value belongs")
			return
		}
		switch bucket {
		case string(bucketMeta):
			vs.meta[string(k)] = append([]byte(nil), v...)
		case string(bucketQueue):
			var e Entry
			switch err := json.Unmarshal(v, &e); {
			case len(k) != 8:
				bad(k, "not an operation number")
			case err != nil:
				bad(k, "queue entry %d does not decode: %v", u64key(k), err)
			case e.Seq != u64key(k):
				bad(k, "queue entry %d holds operation %d", u64key(k), e.Seq)
			default:
				vs.queue[e.Seq] = &e
			}
		case string(bucketBatches):
			var b Batch
			switch err := json.Unmarshal(v, &b); {
			case len(k) != 8:
				bad(k, "not a batch number")
			case err != nil:
				bad(k, "batch %d does not decode: %v", u64key(k), err)
			case b.ID != u64key(k):
				bad(k, "batch %d holds batch %d", u64key(k), b.ID)
			default:
				vs.batches[b.ID] = &b
			}
		}
	}
}

// corrupt is a finding about values that contradict each other.
func corrupt(format string, a ...any) error {
	return fmt.Errorf("%w: %s", ErrCorrupt, fmt.Sprintf(format, a...))
}

// check checks what the values say of each other (see entryFindings and
// metaFindings); nothing when one did not decode.
func (vs *journalValues) check(parse ParseFunc) []error {
	if vs.bad {
		return nil
	}
	errs := vs.metaFindings()
	for _, seq := range sortedSeqs(vs.queue) {
		if err := entryFinding(vs.queue[seq], vs.batches, parse); err != nil {
			errs = append(errs, err)
		}
	}
	return errs
}

// metaFindings checks the meta values: each decodes; the queue holds
// exactly the operations from the mirror's start up to nextSeq-1 (what a
// confirmed rewrite leaves, ConfirmMirror deleting those before it); no
// batch is numbered at or past nextBatch; no history record at or past
// nextRec.
func (vs *journalValues) metaFindings() []error {
	var errs []error
	v, ok := vs.meta[string(keyVersion)]
	if !ok {
		if len(vs.meta) > 0 || len(vs.queue) > 0 {
			errs = append(errs, corrupt("meta has no schema version"))
		}
		return errs // never initialised
	}
	if _, err := strconv.Atoi(string(v)); err != nil {
		errs = append(errs, corrupt("schema version %q is not a number", v))
	}
	num := func(k []byte) (uint64, bool) {
		v, ok := vs.meta[string(k)]
		if !ok || len(v) != 8 {
			errs = append(errs, corrupt("meta %s: %d bytes where a number of 8 belongs", k, len(v)))
			return 0, false
		}
		return u64key(v), true
	}
	nextSeq, okSeq := num(keyNextSeq)
	nextBatch, okBatch := num(keyNextBatch)
	nextRec, okRec := num(keyNextRec)
	if v, ok := vs.meta[string(keyBackupSum)]; ok && len(v) != 8 {
		errs = append(errs, corrupt("meta %s: %d bytes where a number of 8 belongs", keyBackupSum, len(v)))
	}
	m := MirrorState{Start: 1}
	if v, ok := vs.meta[string(keyMirror)]; ok {
		if err := json.Unmarshal(v, &m); err != nil {
			errs = append(errs, corrupt("mirror state does not decode: %v", err))
			okSeq = false
		}
	}
	if v, ok := vs.meta[string(keyUndoing)]; ok {
		var ids []uint64
		if err := json.Unmarshal(v, &ids); err != nil {
			errs = append(errs, corrupt("batches being undone do not decode: %v", err))
		}
	}
	if okSeq {
		errs = append(errs, vs.windowFindings(m, nextSeq)...)
	}
	if okBatch {
		for id := range vs.batches {
			if id == 0 || id >= nextBatch {
				errs = append(errs, corrupt("batch %d is numbered at or past the next batch, %d", id, nextBatch))
			}
		}
	}
	if head := vs.meta[string(keyHead)]; len(head) != 0 && len(head) != hashLen {
		errs = append(errs, corrupt("chain head of %d bytes", len(head)))
	}
	if okRec {
		errs = append(errs, vs.headFindings(nextRec)...)
	}
	return errs
}

// windowFindings checks that the queue holds the operations start to
// next-1, no other, and a rewrite in flight lies within them.
func (vs *journalValues) windowFindings(m MirrorState, next uint64) []error {
	var errs []error
	if m.Start == 0 || m.Start > next {
		return []error{corrupt("the mirror's start, %d, lies outside the operations 1 to %d", m.Start, next)}
	}
	if p := m.Pending; p != nil && (p.Start < m.Start || p.Start > next || p.Added != 0 && (p.Added < m.Start || p.Added > next)) {
		errs = append(errs, corrupt("the SMS.INI rewrite in flight (start %d, added %d) lies outside the operations %d to %d", p.Start, p.Added, m.Start, next))
	}
	for seq := range vs.queue {
		if seq < m.Start || seq >= next {
			errs = append(errs, corrupt("queue entry %d lies outside the operations SMS.INI may list, %d to %d", seq, m.Start, next-1))
		}
	}
	if n := next - m.Start; uint64(len(vs.queue)) < n {
		for seq := m.Start; seq < next; seq++ {
			if vs.queue[seq] == nil {
				errs = append(errs, corrupt("queue entry %d is missing (SMS.INI lists operations %d to %d)", seq, m.Start, next-1))
				break
			}
		}
	}
	return errs
}

// headFindings checks the newest history record against nextRec: a
// record numbered at or past it would be overwritten by the next one
// appended, destroying it. (A head or a gap that does not fit is a break
// of the chain, which VerifyChain names: not damage a run must stop for.)
func (vs *journalValues) headFindings(nextRec uint64) []error {
	if len(vs.lastKey) != 8 {
		return nil // empty, or reported by the key check
	}
	if last := u64key(vs.lastKey); last >= nextRec {
		return []error{corrupt("the newest history record is %d but the next one would be %d, overwriting it", last, nextRec)}
	}
	return nil
}

// validStates are the states a queue entry can be in.
var validStates = map[State]bool{Queued: true, Intent: true, Held: true, Reboot: true, Committed: true, Staged: true}

// entryFinding checks one queue entry: its state and decision are ones
// the journal writes, it is numbered within its batch, and (when parse is
// set) its text parses to the operation stored with it, so that a flipped
// byte of either is seen.
func entryFinding(e *Entry, batches map[uint64]*Batch, parse ParseFunc) error {
	if !validStates[e.State] {
		return corrupt("queue entry %d: state %q", e.Seq, e.State)
	}
	if e.Decision != "" && e.Decision != Rerun && e.Decision != Skip {
		return corrupt("queue entry %d: decision %q", e.Seq, e.Decision)
	}
	b := batches[e.Batch]
	switch {
	case b == nil:
		return corrupt("queue entry %d belongs to batch %d, which is missing", e.Seq, e.Batch)
	case e.Pos < 1 || e.Pos > b.Entries || b.FirstSeq+uint64(e.Pos-1) != e.Seq:
		return corrupt("queue entry %d is entry %d of batch %d, which holds operations %d to %d", e.Seq, e.Pos, e.Batch, b.FirstSeq, b.FirstSeq+uint64(b.Entries)-1)
	}
	if parse == nil || strings.ContainsRune(e.Raw, '\uFFFD') {
		// Text whose bytes were not UTF-8 is kept in the operation only.
		return nil
	}
	op, err := parse(e.Raw)
	if err != nil {
		return corrupt("queue entry %d: its text %q does not parse: %v", e.Seq, e.Raw, err)
	}
	want, err1 := json.Marshal(op)
	got, err2 := json.Marshal(&e.Op)
	if err1 != nil || err2 != nil || string(want) != string(got) {
		return corrupt("queue entry %d: its text %q is not the operation stored with it", e.Seq, e.Raw)
	}
	return nil
}

func sortedSeqs(m map[uint64]*Entry) []uint64 {
	out := make([]uint64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}
