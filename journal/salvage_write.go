package journal

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"

	bolt "go.etcd.io/bbolt"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// planHistory keeps every record that survived, unchanged, and links the
// chain across each run of lost records with a marker (see Salvage).
func (p *salvagePlan) planHistory(rd *salvageRead, opts SalvageOptions, broken string) {
	keys := rd.historyKeys()
	// Records before a checkpoint were pruned: copies of them found in
	// scattered pages are not the history any more.
	for i := len(keys) - 1; i > 0; i-- {
		if r, err := DecodeRecord(rd.history[keys[i]]); err == nil && r.IsCheckpoint() {
			keys = keys[i:]
			break
		}
	}
	now := opts.Now.UTC()
	var tail string
	var prevKey uint64
	marker := func(from, through uint64, next string) {
		rec := &Record{ID: through, Outcome: ops.Lost, Committed: now, Host: opts.Host, Version: opts.Version, Prev: tail,
			Result:  ops.Result{Outcome: ops.Lost, Start: now, End: now, Err: fmt.Sprintf("history records %d to %d could not be read from the damaged journal", from, through)},
			Salvage: &SalvageMark{Broken: broken, From: from, Through: through, Next: next}}
		data, err := encodeRecord(rec)
		if err != nil {
			panic(err) // a Record always encodes
		}
		p.records = append(p.records, plannedRecord{key: through, stored: data})
		p.result.Lost += through - from + 1
		tail, prevKey = rec.chainNext(), through
	}
	for i, k := range keys {
		v := rd.history[k]
		r, _ := DecodeRecord(v) // takeRecord kept only records that decode
		switch {
		case i == 0 && r.IsCheckpoint():
		case i == 0 && k > 1:
			marker(1, k-1, r.Prev)
		case k > prevKey+1:
			marker(prevKey+1, k-1, r.Prev)
		}
		if r.Prev != tail && !(i == 0 && r.IsCheckpoint()) {
			v = relink(v, tail)
			r, _ = DecodeRecord(v)
			p.result.Relinked++
		}
		p.records = append(p.records, plannedRecord{key: k, stored: v})
		p.result.Kept++
		tail, prevKey = r.chainNext(), k
		if r.IsCheckpoint() {
			tail = r.Prev
		}
	}
	if next, ok := rd.metaU64(keyNextRec); ok && next > prevKey+1 && next != math.MaxUint64 {
		marker(prevKey+1, next-1, "")
	} else if !ok && (rd.historyGone || len(rd.historyLost) > 0 || rd.metaLost) {
		p.result.LostUnknown = true
	}
	p.head, p.nextRec = tail, prevKey+1
}

// relink returns the stored record v following prev instead of the
// record it named: its prev member and hash rewritten, every other byte
// kept.
func relink(v []byte, prev string) []byte {
	i := bytes.LastIndex(v, []byte(`,"prev":"`))
	head := v[:i+len(`,"prev":"`)]
	canon := append(append(bytes.Clone(head), prev...), `","hash":""}`...)
	out := append(append(bytes.Clone(head), prev...), `","hash":"`...)
	out = append(out, chainHash(prev, canon)...)
	return append(out, `"}`...)
}

// writeSalvaged writes the planned journal to a new file at path and
// makes it and its folder entry durable.
func writeSalvaged(path string, perm os.FileMode, p *salvagePlan, opts SalvageOptions) error {
	// One sync at the end, as for a compacted copy: the file takes the
	// journal's place only once it is whole and durable.
	db, err := bolt.Open(path, perm, &bolt.Options{NoSync: true, Timeout: opts.LockTimeout})
	if err != nil {
		return err
	}
	j := &Journal{db: db, path: path, opts: Options{Host: opts.Host, Version: opts.Version}, full: map[string]bool{}}
	err = p.write(j, opts)
	if err == nil {
		err = db.Sync()
	}
	if cerr := db.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := fsroot.SyncPath(path); err != nil {
		return err
	}
	return fsroot.SyncDir(filepath.Dir(path))
}

// salvageStep bounds the records one transaction of writeSalvaged copies.
const salvageStep = 10000

func (p *salvagePlan) write(j *Journal, opts SalvageOptions) error {
	err := j.boltUpdate(func(btx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketBatches, bucketQueue, bucketHistory, bucketUndo, bucketCounts} {
			if _, err := btx.CreateBucket(name); err != nil {
				return err
			}
		}
		t := &Tx{tx: btx, j: j}
		meta := t.meta()
		if err := meta.Put(keyVersion, []byte(strconv.Itoa(SchemaVersion))); err != nil {
			return err
		}
		for k, n := range map[string]uint64{string(keyNextSeq): p.nextSeq, string(keyNextBatch): p.nextBatch} {
			if err := meta.Put([]byte(k), u64(n)); err != nil {
				return err
			}
		}
		if err := t.putJSON(meta, keyMirror, p.mirror); err != nil {
			return err
		}
		if len(p.undoing) > 0 {
			if err := t.putJSON(meta, keyUndoing, p.undoing); err != nil {
				return err
			}
		}
		if p.prunePending {
			if err := meta.Put(keyPrunePending, []byte{1}); err != nil {
				return err
			}
		}
		var kept uint64
		for _, b := range p.batches {
			if b.Backups != BackupsPruned {
				kept += uint64(max(b.BackupBytes, 0))
			}
			if err := t.PutBatch(b); err != nil {
				return err
			}
		}
		if err := meta.Put(keyBackupSum, u64(kept)); err != nil {
			return err
		}
		undo := btx.Bucket(bucketUndo)
		for k, v := range p.undo {
			if err := undo.Put([]byte(k), v); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	for from := 0; from < len(p.records); from += salvageStep {
		err := j.boltUpdate(func(btx *bolt.Tx) error {
			h := btx.Bucket(bucketHistory)
			h.FillPercent = 0.95
			for _, r := range p.records[from:min(from+salvageStep, len(p.records))] {
				if err := h.Put(u64(r.key), r.stored); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return j.boltUpdate(func(btx *bolt.Tx) error {
		t := &Tx{tx: btx, j: j}
		meta := t.meta()
		if err := meta.Put(keyHead, []byte(p.head)); err != nil {
			return err
		}
		if err := meta.Put(keyNextRec, u64(p.nextRec)); err != nil {
			return err
		}
		now := opts.Now.UTC()
		for _, e := range p.entries {
			reason, held := p.hold[e.Seq]
			if !held {
				if err := t.Put(e); err != nil {
					return err
				}
				continue
			}
			if _, err := t.Hold(e, reason+" (the damaged journal is kept as "+p.result.Broken+")", now); err != nil {
				return err
			}
			p.result.Held = append(p.result.Held, *e)
		}
		sum := fmt.Sprintf("journal salvaged from %s: %d history record(s) kept, %d lost, %d operation(s) held", p.result.Broken, p.result.Kept, p.result.Lost, len(p.result.Held))
		if p.result.LostUnknown {
			sum += "; records after the last one kept may be lost too"
		}
		if _, err := t.appendRecordWith(&Entry{}, ops.Result{Outcome: ops.Salvaged, Start: now, End: now, Err: sum}, false, now, func(r *Record) {
			r.Salvage = &SalvageMark{Broken: p.result.Broken, Kept: p.result.Kept, Lost: p.result.Lost, Held: len(p.result.Held), Damage: p.findings}
		}); err != nil {
			return err
		}
		// The records kept were copied, not appended: count them all
		// (the damaged journal's own counts cannot be trusted).
		if err := btx.DeleteBucket(bucketCounts); err != nil {
			return err
		}
		return ensureCounts(btx)
	})
}
