package journal

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"sort"
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
// whole file when all is set, and the values the pages Open needs hold
// (see checkValues; parse, when set, checks each queue entry's text
// against its operation). It returns the findings, each a *PageError or
// an error wrapping ErrCorrupt.
func checkFile(path string, full map[string]bool, all bool, parse ParseFunc) ([]error, error) {
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
	return pf.check(full, all, parse), nil
}

// check is checkFile on an open page file.
func (pf *pageFile) check(full map[string]bool, all bool, parse ParseFunc) []error {
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
	vals := &journalValues{meta: map[string][]byte{}, queue: map[uint64]*Entry{}, batches: map[uint64]*Batch{}}
	walked := len(berrs) == 0
	for _, name := range names {
		w := &treeWalk{pf: pf, bucket: name, seen: seen}
		switch name {
		case string(bucketMeta), string(bucketQueue), string(bucketBatches):
			w.visit = vals.collect(name, &errs)
		case string(bucketHistory):
			w.last = !all && !full[name]
			check := keyCheck(name, &errs)
			w.visit = func(k, v []byte, flags uint32) {
				check(k, v, flags)
				vals.lastKey, vals.lastRecord = bytes.Clone(k), bytes.Clone(v)
			}
		case string(bucketUndo):
			w.last = !all && !full[name]
			w.visit = keyCheck(name, &errs)
		default:
			if !all {
				continue
			}
		}
		w.walkBucket(buckets[name])
		errs = append(errs, w.errs...)
		walked = walked && len(w.errs) == 0
	}
	if walked && len(buckets) > 0 {
		errs = append(errs, vals.check(parse)...)
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
