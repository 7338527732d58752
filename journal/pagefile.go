package journal

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
)

// This file reads bbolt's file format with plain reads (never bbolt's
// memory map), checking every length, offset and page number before it
// uses it: what bbolt would trust and fault on, or walk forever, is an
// error here. It serves the check Open runs before bbolt touches a page
// (pagecheck.go) and the salvage of a damaged journal (salvage*.go).
//
// The layout is bbolt's (go.etcd.io/bbolt/internal/common), in the host's
// byte order, as bbolt writes it:
//
//	page header (16 bytes): id u64, flags u16, count u16, overflow u32
//	meta (pages 0 and 1, after the header): magic u32, version u32,
//	  pageSize u32, flags u32, root bucket {root pgid u64, sequence u64},
//	  freelist pgid u64, high-water mark pgid u64, txid u64, checksum u64
//	  (FNV-64a of the meta's bytes before the checksum)
//	branch element (16 bytes): pos u32, ksize u32, child pgid u64
//	leaf element (16 bytes): flags u32, pos u32, ksize u32, vsize u32
//	  (pos counts from the element itself; flag 1 marks a bucket, whose
//	  value is {root pgid u64, sequence u64}, followed by the bucket's
//	  own leaf page when root is 0: an inline bucket)
//	freelist: count page ids u64 after the header (count 0xFFFF: the
//	  first u64 is the count)

const (
	pageHeaderSize   = 16
	elemSize         = 16
	bucketHeaderSize = 16
	metaSize         = 64 // magic .. checksum, without the checksum: 56

	flagBranch   = 0x01
	flagLeaf     = 0x02
	flagMeta     = 0x04
	flagFreelist = 0x10
	leafIsBucket = 0x01

	boltMagic   = 0xED0CDAED
	boltVersion = 2
	noFreelist  = ^uint64(0)

	// maxTreeDepth bounds a walk: a journal's B+tree is a few levels
	// deep; deeper means pages that point back at each other.
	maxTreeDepth = 32
	// maxOverflow bounds the pages one page may span (a value of up to
	// bbolt's maximum of 2 GiB).
	maxOverflow = 1 << 20
)

var ne = binary.NativeEndian

// boltMeta is a decoded, checksummed meta page.
type boltMeta struct {
	pageSize uint32
	root     uint64 // the root bucket's page
	freelist uint64 // noFreelist when not persisted
	hwm      uint64 // high-water mark: pages below it are in use or free
	txid     uint64
}

// pageFile is a bbolt file read defensively.
type pageFile struct {
	r    io.ReaderAt
	size int64
	psz  int
	// metas are the two meta pages as read; use is the one bbolt uses
	// (the valid one with the higher txid), -1 when neither is valid.
	metas [2]metaSlot
	use   int
}

type metaSlot struct {
	m   boltMeta
	err error
}

// meta returns the meta page bbolt uses.
func (pf *pageFile) meta() *boltMeta { return &pf.metas[pf.use].m }

// errMeta is why a meta page is not valid.
var errMeta = errors.New("not a valid meta page")

// decodeMeta checks and decodes a meta page held in buf.
func decodeMeta(buf []byte) (boltMeta, error) {
	var m boltMeta
	if len(buf) < pageHeaderSize+metaSize {
		return m, fmt.Errorf("%w: short (%d bytes)", errMeta, len(buf))
	}
	b := buf[pageHeaderSize:]
	if magic := ne.Uint32(b[0:]); magic != boltMagic {
		return m, fmt.Errorf("%w: magic %#x", errMeta, magic)
	}
	if v := ne.Uint32(b[4:]); v != boltVersion {
		return m, fmt.Errorf("%w: version %d", errMeta, v)
	}
	h := fnv.New64a()
	_, _ = h.Write(b[:56])
	if sum := ne.Uint64(b[56:]); sum != h.Sum64() {
		return m, fmt.Errorf("%w: checksum %016x, content gives %016x (torn or overwritten)", errMeta, sum, h.Sum64())
	}
	m = boltMeta{pageSize: ne.Uint32(b[8:]), root: ne.Uint64(b[16:]), freelist: ne.Uint64(b[32:]),
		hwm: ne.Uint64(b[40:]), txid: ne.Uint64(b[48:])}
	return m, nil
}

// openPageFile reads the meta pages of the bbolt file r of size bytes,
// finding the page size as bbolt does: from meta page 0, else from meta
// page 1 at each possible page size, else the system's.
func openPageFile(r io.ReaderAt, size int64) *pageFile {
	pf := &pageFile{r: r, size: size, psz: os.Getpagesize(), use: -1}
	buf := make([]byte, 4096)
	found := false
	if n, _ := r.ReadAt(buf, 0); n == len(buf) {
		if m, err := decodeMeta(buf); err == nil && validPageSize(m.pageSize) {
			pf.psz, found = int(m.pageSize), true
		}
	}
	for i := 0; !found && i <= 14; i++ {
		pos := int64(1024) << i
		if pos >= size-1024 {
			break
		}
		n, _ := r.ReadAt(buf, pos)
		if m, err := decodeMeta(buf[:n]); err == nil && validPageSize(m.pageSize) && int64(m.pageSize) == pos {
			pf.psz, found = int(m.pageSize), true
		}
	}
	for i := range pf.metas {
		page := make([]byte, pageHeaderSize+metaSize)
		n, err := r.ReadAt(page, int64(i*pf.psz))
		if n < len(page) {
			pf.metas[i].err = fmt.Errorf("%w: the file ends before it (%v)", errMeta, err)
			continue
		}
		pf.metas[i].m, pf.metas[i].err = decodeMeta(page)
		if pf.metas[i].err == nil && int(pf.metas[i].m.pageSize) != pf.psz {
			pf.metas[i].err = fmt.Errorf("%w: page size %d, the file's is %d", errMeta, pf.metas[i].m.pageSize, pf.psz)
		}
	}
	for i := range pf.metas {
		if pf.metas[i].err != nil {
			continue
		}
		if pf.use < 0 || pf.metas[i].m.txid > pf.metas[pf.use].m.txid {
			pf.use = i
		}
	}
	return pf
}

func validPageSize(n uint32) bool { return n >= 512 && n <= 1<<24 && n&(n-1) == 0 }

// pageError is one damaged structure, found at page id.
func pageErr(id uint64, format string, a ...any) error {
	return &PageError{Page: id, Msg: fmt.Sprintf(format, a...)}
}

// readPage reads page id (with its overflow pages) after checking that it
// lies below the high-water mark and inside the file, identifies itself
// as id, and has one of the flags in want.
func (pf *pageFile) readPage(id uint64, want uint16) ([]byte, error) {
	m := pf.meta()
	if id < 2 || id >= m.hwm {
		return nil, pageErr(id, "page number outside the file's pages 2 to %d", m.hwm-1)
	}
	off := int64(id) * int64(pf.psz)
	first := make([]byte, pf.psz)
	if n, err := pf.r.ReadAt(first, off); n < len(first) {
		return nil, pageErr(id, "cannot be read whole: %v (the file is %d bytes)", err, pf.size)
	}
	hdr := first[:pageHeaderSize]
	if got := ne.Uint64(hdr[0:]); got != id {
		return nil, pageErr(id, "identifies itself as page %d (overwritten)", got)
	}
	flags := ne.Uint16(hdr[8:])
	if flags&want == 0 || flags&(flags-1) != 0 {
		return nil, pageErr(id, "has type %#x where a %s page belongs", flags, pageKinds(want))
	}
	over := uint64(ne.Uint32(hdr[12:]))
	if over > maxOverflow || id+over >= m.hwm {
		return nil, pageErr(id, "claims %d overflow pages, beyond the file's %d pages", over, m.hwm)
	}
	total := int64(over+1) * int64(pf.psz)
	if off+total > pf.size {
		return nil, pageErr(id, "extends beyond the end of the file (truncated?)")
	}
	if over == 0 {
		return first, nil
	}
	buf := make([]byte, total)
	copy(buf, first)
	if n, err := pf.r.ReadAt(buf[len(first):], off+int64(len(first))); int64(n) < total-int64(len(first)) {
		return nil, pageErr(id, "cannot be read: %v", err)
	}
	return buf, nil
}

// blockReader reads a file through a small cache of large blocks: a walk
// of a bucket reads its pages mostly in file order, one system call per
// block instead of one per page.
type blockReader struct {
	r     io.ReaderAt
	size  int64
	cache map[int64][]byte
	order []int64 // blocks cached, oldest first
}

const (
	readBlock  = 256 << 10
	readBlocks = 16
)

func newBlockReader(r io.ReaderAt, size int64) *blockReader {
	return &blockReader{r: r, size: size, cache: map[int64][]byte{}}
}

// ReadAt reads len(p) bytes at off, as io.ReaderAt.
func (b *blockReader) ReadAt(p []byte, off int64) (int, error) {
	n := 0
	for n < len(p) {
		at := off + int64(n)
		if at >= b.size {
			return n, io.EOF
		}
		blk, err := b.block(at / readBlock)
		if err != nil {
			return n, err
		}
		c := copy(p[n:], blk[at%readBlock:])
		if c == 0 {
			return n, io.EOF
		}
		n += c
	}
	return n, nil
}

func (b *blockReader) block(i int64) ([]byte, error) {
	if blk, ok := b.cache[i]; ok {
		return blk, nil
	}
	size := min(int64(readBlock), b.size-i*readBlock)
	var blk []byte
	if len(b.order) == readBlocks {
		// The oldest block's buffer is reused: no new memory to fault in.
		blk = b.cache[b.order[0]][:cap(b.cache[b.order[0]])]
		delete(b.cache, b.order[0])
		b.order = b.order[1:]
	} else {
		blk = make([]byte, readBlock)
	}
	blk = blk[:size]
	if n, err := b.r.ReadAt(blk, i*readBlock); int64(n) < size {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	b.cache[i] = blk
	b.order = append(b.order, i)
	return blk, nil
}

func pageKinds(want uint16) string {
	switch want {
	case flagBranch | flagLeaf:
		return "branch or leaf"
	case flagFreelist:
		return "freelist"
	case flagLeaf:
		return "leaf"
	}
	return fmt.Sprintf("%#x", want)
}

// elem is one element of a branch or leaf page.
type elem struct {
	key   []byte
	value []byte // leaf
	flags uint32 // leaf
	child uint64 // branch
}

// node is a decoded branch or leaf page.
type node struct {
	leaf  bool
	elems []elem
}

// decodeNode decodes a branch or leaf page held in buf (a page read by
// readPage, or an inline bucket's page), checking that every element and
// every key and value lies inside it and that keys are strictly
// increasing.
func decodeNode(id uint64, buf []byte) (*node, error) {
	if len(buf) < pageHeaderSize {
		return nil, pageErr(id, "shorter than a page header")
	}
	flags := ne.Uint16(buf[8:])
	count := int(ne.Uint16(buf[10:]))
	n := &node{leaf: flags == flagLeaf}
	if flags != flagLeaf && flags != flagBranch {
		return nil, pageErr(id, "has type %#x where a branch or leaf page belongs", flags)
	}
	if !n.leaf && count == 0 {
		return nil, pageErr(id, "is a branch page without elements")
	}
	if pageHeaderSize+count*elemSize > len(buf) {
		return nil, pageErr(id, "claims %d elements, more than it can hold", count)
	}
	n.elems = make([]elem, count)
	for i := range n.elems {
		eo := uint64(pageHeaderSize + i*elemSize)
		e := buf[eo : eo+elemSize]
		var pos, ksize, vsize uint64
		if n.leaf {
			n.elems[i].flags = ne.Uint32(e[0:])
			pos, ksize, vsize = uint64(ne.Uint32(e[4:])), uint64(ne.Uint32(e[8:])), uint64(ne.Uint32(e[12:]))
		} else {
			pos, ksize = uint64(ne.Uint32(e[0:])), uint64(ne.Uint32(e[4:]))
			n.elems[i].child = ne.Uint64(e[8:])
		}
		start := eo + pos
		if pos < elemSize || start+ksize+vsize > uint64(len(buf)) {
			return nil, pageErr(id, "element %d points outside the page", i)
		}
		if ksize == 0 {
			return nil, pageErr(id, "element %d has an empty key", i)
		}
		n.elems[i].key = buf[start : start+ksize]
		if n.leaf {
			n.elems[i].value = buf[start+ksize : start+ksize+vsize]
		}
		if i > 0 && bytes.Compare(n.elems[i-1].key, n.elems[i].key) >= 0 {
			return nil, pageErr(id, "keys out of order at element %d", i)
		}
	}
	return n, nil
}

// treeWalk walks a bucket's B+tree, every page checked, continuing past a
// damaged page with its siblings: leaf elements go to visit, in key order,
// and each key range lost with a damaged page to lost.
type treeWalk struct {
	pf     *pageFile
	bucket string
	// seen records every page reached (across walks sharing it): a page
	// reached twice is damage (bbolt's "multiple references").
	seen map[uint64]string
	// visit gets each leaf element; lost gets the range [lo, hi) of keys
	// (nil: unbounded) a damaged page held. Either may be nil.
	visit func(k, v []byte, flags uint32)
	lost  func(lo, hi []byte, err error)
	// last, when set, walks only the path to the last key (where an
	// append goes) instead of the whole tree.
	last bool
	// page, when set, gets each page decoded.
	page func(id uint64, n *node)
	errs []error
}

// fail records a damaged page and the key range it held.
func (w *treeWalk) fail(lo, hi []byte, err error) {
	var pe *PageError
	if errors.As(err, &pe) && pe.Bucket == "" {
		pe.Bucket = w.bucket
	}
	w.errs = append(w.errs, err)
	if w.lost != nil {
		w.lost(lo, hi, err)
	}
}

// walkBucket walks the bucket whose header (and inline page) is value.
func (w *treeWalk) walkBucket(value []byte) {
	if len(value) < bucketHeaderSize {
		w.fail(nil, nil, &PageError{Bucket: w.bucket, Msg: "bucket header is short"})
		return
	}
	root := ne.Uint64(value)
	if root != 0 {
		w.tree(root, nil, nil, 0)
		return
	}
	inline := value[bucketHeaderSize:]
	n, err := decodeNode(0, inline)
	if err == nil && !n.leaf {
		err = pageErr(0, "inline bucket page is not a leaf")
	}
	if err != nil {
		var pe *PageError
		if errors.As(err, &pe) {
			pe.Msg = "inline " + pe.Msg
		}
		w.fail(nil, nil, err)
		return
	}
	w.leaf(n)
}

func (w *treeWalk) leaf(n *node) {
	if w.visit == nil {
		return
	}
	for _, e := range n.elems {
		w.visit(e.key, e.value, e.flags)
	}
}

// tree walks the subtree at page id, whose keys lie in [lo, hi).
func (w *treeWalk) tree(id uint64, lo, hi []byte, depth int) {
	if depth > maxTreeDepth {
		w.fail(lo, hi, pageErr(id, "the tree is deeper than %d levels (pages point back at each other)", maxTreeDepth))
		return
	}
	if by, ok := w.seen[id]; ok {
		w.fail(lo, hi, pageErr(id, "is reached twice (from bucket %q too): overwritten page number", by))
		return
	}
	buf, err := w.pf.readPage(id, flagBranch|flagLeaf)
	if err != nil {
		w.seen[id] = w.bucket
		w.fail(lo, hi, err)
		return
	}
	for i := uint64(0); i*uint64(w.pf.psz) < uint64(len(buf)); i++ {
		w.seen[id+i] = w.bucket
	}
	n, err := decodeNode(id, buf)
	if err != nil {
		w.fail(lo, hi, err)
		return
	}
	if w.page != nil {
		w.page(id, n)
	}
	if len(n.elems) > 0 {
		first, lastKey := n.elems[0].key, n.elems[len(n.elems)-1].key
		if lo != nil && bytes.Compare(first, lo) < 0 || hi != nil && bytes.Compare(lastKey, hi) >= 0 {
			w.fail(lo, hi, pageErr(id, "holds keys outside the range its parent gives it"))
			return
		}
	}
	if n.leaf {
		w.leaf(n)
		return
	}
	from := 0
	if w.last {
		// The other children are not walked, but a write of this page
		// (an append rewrites it) carries their numbers: each must be a
		// page of the file, referenced once and not free.
		from = len(n.elems) - 1
		for _, e := range n.elems[:from] {
			if e.child < 2 || e.child >= w.pf.meta().hwm {
				w.fail(lo, hi, pageErr(id, "names child page %d, outside the file's pages 2 to %d", e.child, w.pf.meta().hwm-1))
				return
			}
			if by, ok := w.seen[e.child]; ok {
				w.fail(lo, hi, pageErr(id, "names child page %d, reached from bucket %q too: overwritten page number", e.child, by))
				return
			}
			w.seen[e.child] = w.bucket
		}
	}
	for i := from; i < len(n.elems); i++ {
		childHi := hi
		if i+1 < len(n.elems) {
			childHi = n.elems[i+1].key
		}
		childLo := n.elems[i].key
		if i == 0 && lo != nil {
			childLo = lo
		}
		w.tree(n.elems[i].child, childLo, childHi, depth+1)
	}
}

// freelist reads the freelist page of the meta in use: the free pages.
func (pf *pageFile) freelist() ([]uint64, error) {
	m := pf.meta()
	if m.freelist == noFreelist {
		return nil, nil
	}
	buf, err := pf.readPage(m.freelist, flagFreelist)
	if err != nil {
		return nil, err
	}
	count, idx := uint64(ne.Uint16(buf[10:])), uint64(0)
	if count == 0xFFFF {
		count, idx = ne.Uint64(buf[pageHeaderSize:]), 1
	}
	if count > uint64(len(buf)-pageHeaderSize)/8-idx {
		return nil, pageErr(m.freelist, "freelist claims %d pages, more than it holds", count)
	}
	ids := make([]uint64, count)
	dup := make(map[uint64]bool, count)
	for i := range ids {
		ids[i] = ne.Uint64(buf[pageHeaderSize+8*(idx+uint64(i)):])
		if ids[i] < 2 || ids[i] >= m.hwm {
			return nil, pageErr(m.freelist, "freelist names page %d, outside the file's pages 2 to %d", ids[i], m.hwm-1)
		}
		if dup[ids[i]] {
			return nil, pageErr(m.freelist, "freelist names page %d twice", ids[i])
		}
		dup[ids[i]] = true
	}
	for i := uint64(1); i*uint64(pf.psz) < uint64(len(buf)); i++ {
		if dup[m.freelist+i] {
			return nil, pageErr(m.freelist, "freelist names its own page %d free", m.freelist+i)
		}
	}
	if dup[m.freelist] {
		return nil, pageErr(m.freelist, "freelist names its own page free")
	}
	return ids, nil
}

// rootBuckets walks the root bucket (the meta's root page) and returns
// each top-level bucket's header value, by name.
func (pf *pageFile) rootBuckets(seen map[uint64]string) (map[string][]byte, []error) {
	out := map[string][]byte{}
	w := &treeWalk{pf: pf, bucket: "(root)", seen: seen, visit: func(k, v []byte, flags uint32) {
		if flags&leafIsBucket != 0 {
			out[string(k)] = v
		}
	}}
	w.tree(pf.meta().root, nil, nil, 0)
	return out, w.errs
}
