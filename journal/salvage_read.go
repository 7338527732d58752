package journal

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"sort"
)

// keyRange is a range of 8-byte keys [lo, hi] lost with a damaged page.
type keyRange struct{ lo, hi uint64 }

func (r keyRange) has(k uint64) bool { return k >= r.lo && k <= r.hi }

// rangeOf turns the byte bounds [lo, hi) of a lost subtree (nil:
// unbounded) into numbers, for buckets keyed by 8-byte numbers (the
// first 8 bytes, for the undo bucket's batch|seq|record keys).
func rangeOf(lo, hi []byte) keyRange {
	r := keyRange{lo: 0, hi: math.MaxUint64}
	if len(lo) > 0 {
		r.lo = prefixU64(lo)
	}
	if len(hi) > 0 {
		h := prefixU64(hi)
		if len(hi) == 8 && h > 0 {
			h-- // an 8-byte bound is excluded; a longer one shares its prefix
		}
		r.hi = h
	}
	return r
}

// prefixU64 reads the first 8 bytes of k as a number (shorter keys padded
// with zeros).
func prefixU64(k []byte) uint64 {
	var b [8]byte
	copy(b[:], k)
	return binary.BigEndian.Uint64(b[:])
}

// salvageRead is what could still be read of a damaged journal file, read
// page by page with plain reads (pagefile.go): bbolt never maps it.
type salvageRead struct {
	// findings lists what is damaged, as the full check names it.
	findings []error
	// stale says a meta page is damaged: the other one, in use, may be a
	// transaction behind what was written.
	stale bool
	// noMeta says no meta page is valid: nothing of the tree can be
	// found, only history records scattered in the file.
	noMeta bool

	meta     map[string][]byte
	metaLost bool // the meta bucket is missing or partly unreadable

	queue     map[uint64]*Entry
	queueBad  map[uint64]bool // stored, but the value does not decode
	queueLost []keyRange
	queueGone bool // no queue bucket to be found

	batches     map[uint64]*Batch
	batchesLost []keyRange
	batchesGone bool

	// history holds the stored bytes of each record that decodes and
	// matches its own hash, by key; historyBad the keys whose record does
	// not; historyLost the key ranges of damaged pages.
	history     map[uint64][]byte
	historyBad  map[uint64]bool
	historyLost []keyRange
	historyGone bool
	// scattered counts records found outside the tree (in pages a
	// damaged branch no longer reaches) and taken in.
	scattered int

	undo     map[string][]byte // key -> value
	undoLost []keyRange        // batch ranges
	undoGone bool
}

// readDamaged reads everything it can of the journal file at path; a
// queue entry whose values contradict each other (see entryFinding) is
// read as damaged.
func readDamaged(path string, parse ParseFunc) (*salvageRead, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("salvage journal %s: %w", path, err)
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("salvage journal %s: %w", path, err)
	}
	return readFrom(newBlockReader(f, st.Size()), st.Size(), parse), nil
}

// readFrom is readDamaged on the size bytes of r.
func readFrom(r io.ReaderAt, size int64, parse ParseFunc) *salvageRead {
	pf := openPageFile(r, size)
	rd := &salvageRead{meta: map[string][]byte{}, queue: map[uint64]*Entry{}, queueBad: map[uint64]bool{},
		batches: map[uint64]*Batch{}, history: map[uint64][]byte{}, historyBad: map[uint64]bool{},
		undo: map[string][]byte{}}
	rd.findings = pf.check(nil, true, parse)
	if pf.use < 0 {
		rd.noMeta, rd.metaLost, rd.queueGone, rd.batchesGone, rd.historyGone, rd.undoGone = true, true, true, true, true, true
		rd.scatter(pf, nil)
		return rd
	}
	rd.stale = pf.metas[0].err != nil || pf.metas[1].err != nil
	seen := map[uint64]string{}
	buckets, errs := pf.rootBuckets(seen)
	rootLost := len(errs) > 0
	rd.readMeta(pf, buckets[string(bucketMeta)], seen)
	rd.readQueue(pf, buckets[string(bucketQueue)], seen, rootLost)
	rd.readBatches(pf, buckets[string(bucketBatches)], seen, rootLost)
	rd.readUndo(pf, buckets[string(bucketUndo)], seen, rootLost)
	rd.readHistory(pf, buckets[string(bucketHistory)], seen, rootLost)
	for seq, e := range rd.queue {
		if entryFinding(e, rd.batches, parse) != nil {
			delete(rd.queue, seq)
			rd.queueBad[seq] = true
		}
	}
	return rd
}

// walk walks one bucket (value is its header; nil when the root bucket
// does not list it) and says whether it was found.
func walkSalvage(pf *pageFile, name string, value []byte, seen map[uint64]string,
	visit func(k, v []byte, flags uint32), lost func(lo, hi []byte, err error)) bool {
	if value == nil {
		return false
	}
	w := &treeWalk{pf: pf, bucket: name, seen: seen, visit: visit, lost: lost}
	w.walkBucket(value)
	return true
}

func (rd *salvageRead) readMeta(pf *pageFile, v []byte, seen map[uint64]string) {
	found := walkSalvage(pf, string(bucketMeta), v, seen, func(k, v []byte, _ uint32) {
		rd.meta[string(k)] = bytes.Clone(v)
	}, func(_, _ []byte, _ error) { rd.metaLost = true })
	if !found {
		rd.metaLost = true
	}
}

func (rd *salvageRead) readQueue(pf *pageFile, v []byte, seen map[uint64]string, rootLost bool) {
	found := walkSalvage(pf, string(bucketQueue), v, seen, func(k, v []byte, _ uint32) {
		if len(k) != 8 {
			return
		}
		seq := u64key(k)
		var e Entry
		if json.Unmarshal(v, &e) != nil || e.Seq != seq {
			rd.queueBad[seq] = true
			return
		}
		rd.queue[seq] = &e
	}, func(lo, hi []byte, _ error) { rd.queueLost = append(rd.queueLost, rangeOf(lo, hi)) })
	rd.queueGone = !found && (rootLost || len(rd.meta) > 0)
}

func (rd *salvageRead) readBatches(pf *pageFile, v []byte, seen map[uint64]string, rootLost bool) {
	found := walkSalvage(pf, string(bucketBatches), v, seen, func(k, v []byte, _ uint32) {
		if len(k) != 8 {
			return
		}
		var b Batch
		if json.Unmarshal(v, &b) != nil || b.ID != u64key(k) {
			rd.batchesLost = append(rd.batchesLost, keyRange{u64key(k), u64key(k)})
			return
		}
		rd.batches[b.ID] = &b
	}, func(lo, hi []byte, _ error) { rd.batchesLost = append(rd.batchesLost, rangeOf(lo, hi)) })
	rd.batchesGone = !found && (rootLost || len(rd.meta) > 0)
}

func (rd *salvageRead) readUndo(pf *pageFile, v []byte, seen map[uint64]string, rootLost bool) {
	found := walkSalvage(pf, string(bucketUndo), v, seen, func(k, v []byte, _ uint32) {
		if len(k) == 24 {
			rd.undo[string(k)] = bytes.Clone(v)
		}
	}, func(lo, hi []byte, _ error) { rd.undoLost = append(rd.undoLost, rangeOf(lo, hi)) })
	// A journal from before undo existed has no undo bucket, and lost
	// nothing with it; a damaged root bucket may have lost it.
	rd.undoGone = !found && rootLost
}

func (rd *salvageRead) readHistory(pf *pageFile, v []byte, seen map[uint64]string, rootLost bool) {
	found := walkSalvage(pf, string(bucketHistory), v, seen, func(k, v []byte, _ uint32) {
		if len(k) != 8 {
			return
		}
		rd.takeRecord(u64key(k), v)
	}, func(lo, hi []byte, _ error) { rd.historyLost = append(rd.historyLost, rangeOf(lo, hi)) })
	rd.historyGone = !found && (rootLost || len(rd.meta) > 0)
	if rd.historyGone || len(rd.historyLost) > 0 {
		rd.scatter(pf, seen)
	}
}

// takeRecord keeps the record stored under key when it decodes, is the
// record of that key and matches its own hash; it returns whether it did.
func (rd *salvageRead) takeRecord(key uint64, v []byte) bool {
	r, err := DecodeRecord(v)
	if err != nil || r.ID != key {
		rd.historyBad[key] = true
		return false
	}
	if claimed, actual, ok := storedHash(v, r.Prev); !ok || claimed != actual {
		rd.historyBad[key] = true
		return false
	}
	rd.history[key] = bytes.Clone(v)
	delete(rd.historyBad, key)
	return true
}

// scatter looks through every page of the file, damaged ones too (their
// page number is not trusted, only their content), for history records
// the walk lost (in a lost range, or all when the history bucket cannot
// be found): in leaf pages of the history, and in the history bucket of
// any root page that held it inline. A record is immutable once written
// and carries its own hash, so a copy found anywhere is the record itself;
// queue entries and batches change, and an old copy would say an old
// state: they are never taken from scattered pages.
func (rd *salvageRead) scatter(pf *pageFile, _ map[uint64]string) {
	end := uint64(pf.size / int64(pf.psz))
	if pf.use >= 0 {
		end = min(end, max(pf.meta().hwm, 2))
	}
	wanted := func(k uint64) bool {
		if rd.historyGone {
			return true
		}
		for _, r := range rd.historyLost {
			if r.has(k) {
				return true
			}
		}
		return false
	}
	var take func(n *node, depth int)
	take = func(n *node, depth int) {
		for _, e := range n.elems {
			if e.flags&leafIsBucket != 0 {
				if depth == 0 && string(e.key) == string(bucketHistory) && len(e.value) > bucketHeaderSize && ne.Uint64(e.value) == 0 {
					if in, err := decodeNode(0, e.value[bucketHeaderSize:]); err == nil && in.leaf {
						take(in, depth+1)
					}
				}
				continue
			}
			if len(e.key) != 8 || !bytes.HasSuffix(e.value, []byte(`"}`)) {
				continue
			}
			k := u64key(e.key)
			if _, have := rd.history[k]; have || !wanted(k) {
				continue
			}
			bad := rd.historyBad[k]
			if rd.takeRecord(k, e.value) {
				rd.scattered++
			} else if !bad {
				delete(rd.historyBad, k) // not a record of the history at all
			}
		}
	}
	for id := uint64(2); id < end; id++ {
		buf := make([]byte, pf.psz)
		if n, _ := pf.r.ReadAt(buf, int64(id)*int64(pf.psz)); n < len(buf) {
			break
		}
		if ne.Uint16(buf[8:]) != flagLeaf {
			continue
		}
		if over := uint64(ne.Uint32(buf[12:])); over > 0 && over < maxOverflow && id+over < end {
			full := make([]byte, (over+1)*uint64(pf.psz))
			if n, _ := pf.r.ReadAt(full, int64(id)*int64(pf.psz)); n == len(full) {
				buf = full
			}
		}
		if n, err := decodeNode(id, buf); err == nil {
			take(n, 0)
		}
	}
}

// historyKeys returns the keys of the records kept, in order.
func (rd *salvageRead) historyKeys() []uint64 {
	keys := make([]uint64, 0, len(rd.history))
	for k := range rd.history {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool { return keys[a] < keys[b] })
	return keys
}

// metaU64 returns the 8-byte number stored under key in meta, if any.
func (rd *salvageRead) metaU64(key []byte) (uint64, bool) {
	v, ok := rd.meta[string(key)]
	if !ok || len(v) != 8 {
		return 0, false
	}
	return binary.BigEndian.Uint64(v), true
}

// queueLostHas says whether seq lies in a lost range of the queue.
func (rd *salvageRead) queueLostHas(seq uint64) bool {
	if rd.queueGone {
		return true
	}
	for _, r := range rd.queueLost {
		if r.has(seq) {
			return true
		}
	}
	return false
}
