package journal

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
)

// PageError is one damaged structure of a journal file, as the page
// check finds it.
type PageError struct {
	// Page is the page number (0 for an inline bucket's page or the file
	// as a whole).
	Page uint64
	// Bucket is the bucket whose tree holds the page; "" for the file's
	// own structures (meta pages, freelist).
	Bucket string
	// Msg says what is wrong.
	Msg string
}

func (e *PageError) Error() string {
	if e.Bucket != "" {
		return fmt.Sprintf("bucket %s, page %d: %s", e.Bucket, e.Page, e.Msg)
	}
	return fmt.Sprintf("page %d: %s", e.Page, e.Msg)
}

// DamageError says that a journal file is damaged: bbolt's own structures
// (pages, their links, the values the journal stores) do not hold, so
// nothing it says can be trusted where the damage lies. It wraps
// ErrDamaged.
type DamageError struct {
	// Path is the journal file.
	Path string
	// Findings lists what is damaged, each naming its page or value.
	Findings []error
}

func (e *DamageError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "journal %s is damaged", e.Path)
	if len(e.Findings) > 0 {
		fmt.Fprintf(&b, ": %v", e.Findings[0])
	}
	if len(e.Findings) > 1 {
		fmt.Fprintf(&b, " (and %d more)", len(e.Findings)-1)
	}
	return b.String()
}

// Unwrap makes errors.Is(err, ErrDamaged) true.
func (e *DamageError) Unwrap() error { return ErrDamaged }

// The scope of a page check. Open checks what every command needs: both
// meta pages, the freelist, the root bucket, the meta, batches and queue
// buckets page by page and value by value, and the path to the last key
// of the undo and history buckets, where a run appends. A walk of a whole
// history or undo bucket first checks every page of it (Tx.checked).
// smswork verify and salvage check every page of the file.

// checkFile checks the journal file at path: the pages Open needs, plus
// every page of the buckets named in full, or of every bucket and the
// whole file when all is set. It returns the findings, each a *PageError
// or a value that does not decode.
func checkFile(path string, full map[string]bool, all bool) ([]error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("check journal %s: %w", path, err)
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("check journal %s: %w", path, err)
	}
	var r io.ReaderAt = f
	if all || len(full) > 0 {
		// A whole bucket is read mostly in file order: by large blocks.
		r = newBlockReader(f, st.Size())
	}
	pf := openPageFile(r, st.Size())
	return pf.check(full, all), nil
}

// check is checkFile on an open page file.
func (pf *pageFile) check(full map[string]bool, all bool) []error {
	var errs []error
	for i, s := range pf.metas {
		if s.err != nil {
			errs = append(errs, &PageError{Page: uint64(i), Msg: fmt.Sprintf("meta page %d: %v", i, s.err)})
		}
	}
	if pf.use < 0 {
		return errs
	}
	if len(errs) > 0 {
		// A power cut cannot leave a meta page like this: its checksummed
		// part lies in the first 512 bytes, written whole. The other one
		// may be a transaction older than the truth.
		errs[0].(*PageError).Msg += "; bbolt would use the other meta page, which may be a transaction older than what was written"
	}
	m := pf.meta()
	if need := int64(m.hwm) * int64(pf.psz); need > pf.size {
		errs = append(errs, &PageError{Msg: fmt.Sprintf("the file is %d bytes, its meta page counts %d pages of %d (truncated)", pf.size, m.hwm, pf.psz)})
	}
	seen := map[uint64]string{0: "(meta)", 1: "(meta)"}
	free, err := pf.freelist()
	if err != nil {
		errs = append(errs, err)
	} else if m.freelist != noFreelist {
		seen[m.freelist] = "(freelist)"
	}
	buckets, berrs := pf.rootBuckets(seen)
	errs = append(errs, berrs...)
	errs = append(errs, missingBuckets(buckets, len(berrs) > 0)...)
	names := make([]string, 0, len(buckets))
	for name := range buckets {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		w := &treeWalk{pf: pf, bucket: name, seen: seen}
		switch name {
		case string(bucketMeta), string(bucketQueue), string(bucketBatches):
			w.visit = valueCheck(name, &errs)
		case string(bucketHistory), string(bucketUndo):
			w.last = !all && !full[name]
			w.visit = keyCheck(name, &errs)
		default:
			if !all {
				continue
			}
		}
		w.walkBucket(buckets[name])
		errs = append(errs, w.errs...)
	}
	for _, id := range free {
		if by, ok := seen[id]; ok {
			errs = append(errs, &PageError{Page: id, Bucket: by, Msg: "in use and listed free (the freelist or the tree is overwritten)"})
		}
	}
	if all && len(errs) == 0 {
		isFree := make(map[uint64]bool, len(free))
		for _, id := range free {
			isFree[id] = true
		}
		for id := uint64(2); id < m.hwm; id++ {
			if _, ok := seen[id]; !ok && !isFree[id] {
				errs = append(errs, &PageError{Page: id, Msg: "neither in use nor free (lost from its tree)"})
			}
		}
	}
	return errs
}

// missingBuckets reports the buckets an initialised journal must have and
// does not (a damaged root bucket may have lost them: already reported).
func missingBuckets(buckets map[string][]byte, rootDamaged bool) []error {
	if rootDamaged || len(buckets) == 0 {
		return nil // damaged, or a file whose initialisation never committed
	}
	var errs []error
	for _, name := range [][]byte{bucketMeta, bucketBatches, bucketQueue, bucketHistory} {
		if _, ok := buckets[string(name)]; !ok {
			errs = append(errs, &PageError{Bucket: string(name), Msg: "bucket is missing from the root bucket"})
		}
	}
	return errs
}

// keyCheck checks the keys of the history (8 bytes) and undo (24 bytes)
// buckets, which the journal decodes without checking their length.
func keyCheck(bucket string, errs *[]error) func(k, v []byte, flags uint32) {
	want := 8
	if bucket == string(bucketUndo) {
		want = 24
	}
	return func(k, _ []byte, flags uint32) {
		if len(k) != want || flags&leafIsBucket != 0 {
			*errs = append(*errs, &PageError{Bucket: bucket, Msg: fmt.Sprintf("key %x is not a %d-byte record key", k, want)})
		}
	}
}

// valueCheck checks each key and value of the meta, queue and batches
// buckets: every one run reads must decode, and a queue entry or batch
// must be stored under its own number.
func valueCheck(bucket string, errs *[]error) func(k, v []byte, flags uint32) {
	bad := func(k []byte, format string, a ...any) {
		*errs = append(*errs, fmt.Errorf("%w: bucket %s, key %q: %s", ErrCorrupt, bucket, k, fmt.Sprintf(format, a...)))
	}
	return func(k, v []byte, flags uint32) {
		if flags&leafIsBucket != 0 {
			bad(k, "a bucket where a value belongs")
			return
		}
		switch bucket {
		case string(bucketMeta):
			checkMetaValue(k, v, bad)
		case string(bucketQueue):
			var e Entry
			switch err := json.Unmarshal(v, &e); {
			case len(k) != 8:
				bad(k, "not an operation number")
			case err != nil:
				bad(k, "queue entry %d does not decode: %v", u64key(k), err)
			case e.Seq != u64key(k):
				bad(k, "queue entry %d holds operation %d", u64key(k), e.Seq)
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
			}
		}
	}
}

func checkMetaValue(k, v []byte, bad func(k []byte, format string, a ...any)) {
	switch string(k) {
	case string(keyVersion):
		if _, err := strconv.Atoi(string(v)); err != nil {
			bad(k, "schema version %q is not a number", v)
		}
	case string(keyNextSeq), string(keyNextBatch), string(keyNextRec), string(keyBackupSum):
		if len(v) != 8 {
			bad(k, "%d bytes where a number of 8 belongs", len(v))
		}
	case string(keyHead):
		if len(v) != 0 && len(v) != hashLen {
			bad(k, "chain head of %d bytes", len(v))
		}
	case string(keyMirror):
		var m MirrorState
		if err := json.Unmarshal(v, &m); err != nil {
			bad(k, "mirror state does not decode: %v", err)
		}
	case string(keyUndoing):
		var ids []uint64
		if err := json.Unmarshal(v, &ids); err != nil {
			bad(k, "batches being undone do not decode: %v", err)
		}
	}
}

// PageInfo says what one page of a journal file holds.
type PageInfo struct {
	ID uint64
	// Kind is meta, freelist, branch, leaf or free.
	Kind string
	// Bucket is the bucket whose tree holds a branch or leaf page
	// ("(root)": the root bucket, which lists the others).
	Bucket string
}

// Pages lists the pages of the journal file at path that its meta page
// in use reaches, and its free pages, in page order: for diagnostics and
// for tests that damage a chosen page. Damaged pages are left out.
func Pages(path string) ([]PageInfo, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	pf := openPageFile(f, st.Size())
	out := []PageInfo{{ID: 0, Kind: "meta"}, {ID: 1, Kind: "meta"}}
	if pf.use < 0 {
		return out, nil
	}
	seen := map[uint64]string{}
	record := func(bucket string) func(uint64, *node) {
		return func(id uint64, n *node) {
			kind := "branch"
			if n.leaf {
				kind = "leaf"
			}
			out = append(out, PageInfo{ID: id, Kind: kind, Bucket: bucket})
		}
	}
	buckets := map[string][]byte{}
	root := &treeWalk{pf: pf, bucket: "(root)", seen: seen, page: record("(root)"), visit: func(k, v []byte, flags uint32) {
		if flags&leafIsBucket != 0 {
			buckets[string(k)] = v
		}
	}}
	root.tree(pf.meta().root, nil, nil, 0)
	for name, v := range buckets {
		w := &treeWalk{pf: pf, bucket: name, seen: seen, page: record(name)}
		w.walkBucket(v)
	}
	if m := pf.meta(); m.freelist != noFreelist {
		out = append(out, PageInfo{ID: m.freelist, Kind: "freelist"})
	}
	if free, err := pf.freelist(); err == nil {
		for _, id := range free {
			out = append(out, PageInfo{ID: id, Kind: "free"})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].ID < out[b].ID })
	return out, nil
}
