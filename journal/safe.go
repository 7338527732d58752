package journal

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/debug"
	"strings"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// The journal's boundary. bbolt trusts its file: a page overwritten by a
// hard reset makes it panic ("assertion failed: Page expected to be 3, but
// self identifies as 75", a slice out of range) or read outside its
// memory map, a fault that kills the process unless the goroutine asked
// for a panic instead (runtime/debug.SetPanicOnFault). Every bbolt call
// this package makes (bolt.Open and the View and Update transactions,
// with the callbacks they run) goes through guard, which asks for that
// panic, recovers, and turns what damage caused into a *DamageError
// naming the file. Open's check (pagecheck.go) finds the damage first in
// the pages every command needs; guard is the net for the rest.
//
// Which panic is damage, and which a bug that must not hide behind it:
//
//   - a panic raised inside bbolt (its innermost frame outside the Go
//     runtime is in go.etcd.io/bbolt: an assertion, an index out of
//     range on a page it decodes, a nil page) is damage;
//   - a memory fault at an address past the first 64 KiB is damage: pure
//     Go code faults there only on memory the runtime does not own, and
//     the one such memory here is the journal's mapped file (bbolt hands
//     out keys and values that point into it, so the faulting code may be
//     a callback's json.Unmarshal of a value whose length was overwritten);
//   - anything else (a nil dereference, an index out of range in a
//     callback's own code, a panic with a caller's value) is the caller's
//     bug: it is panicked again, unchanged, never reported as damage.

// damagePanic carries a *DamageError found inside a transaction (the
// lazy check of a bucket, see Tx.checked) up to the transaction's guard.
type damagePanic struct{ err error }

// faultFloor is the lowest address whose fault counts as damage: below it
// lie nil dereferences (a pointer plus a field offset), a program's bugs.
const faultFloor = 64 << 10

// guard runs fn with memory faults turned into panics, and returns the
// damage a recovered panic shows as a *DamageError naming the journal
// (what says what was being done); any other panic goes on.
func (j *Journal) guard(what string, fn func() error) (err error) {
	old := debug.SetPanicOnFault(true)
	defer func() {
		r := recover()
		debug.SetPanicOnFault(old)
		if r == nil {
			return
		}
		if dp, ok := r.(damagePanic); ok {
			err = dp.err
			return
		}
		// Still on the panicking stack: its frames say where it began.
		pcs := make([]uintptr, 64)
		pcs = pcs[:runtime.Callers(1, pcs)]
		if !isDamage(r, pcs) {
			panic(r)
		}
		err = &DamageError{Path: j.path, Findings: []error{fmt.Errorf("%s: bbolt cannot read it: %v", what, r)}}
	}()
	return fn()
}

// isDamage says whether the recovered panic r, raised at the stack pcs,
// comes from the journal file's content rather than from a bug.
func isDamage(r any, pcs []uintptr) bool {
	if f, ok := r.(interface{ Addr() uintptr }); ok && f.Addr() >= faultFloor {
		return true
	}
	return strings.HasPrefix(panicSite(pcs), "go.etcd.io/bbolt")
}

// panicSite returns the function that raised the panic whose stack pcs
// was taken while panicking: the first frame after runtime.gopanic that
// is not the Go runtime's own.
func panicSite(pcs []uintptr) string {
	frames := runtime.CallersFrames(pcs)
	past := false
	for {
		f, more := frames.Next()
		switch {
		case f.Function == "runtime.gopanic":
			past = true
		case past && !strings.HasPrefix(f.Function, "runtime."):
			return f.Function
		}
		if !more {
			return ""
		}
	}
}

// boltView runs fn in a bbolt read transaction, guarded.
func (j *Journal) boltView(fn func(*bolt.Tx) error) error {
	return j.guard("read", func() error { return j.db.View(fn) })
}

// boltUpdate runs fn in a bbolt read-write transaction, guarded: a panic
// on damage (in fn or in the commit) rolls it back, nothing is written.
func (j *Journal) boltUpdate(fn func(*bolt.Tx) error) error {
	return j.guard("write", func() error { return j.db.Update(fn) })
}

// openError is the error of bolt.Open on path: a file bbolt refuses as not
// a database, of another format version, or with both meta pages
// failing their checksum is damaged (a zeroed file is one).
func openError(path string, err error) error {
	if errors.Is(err, ErrDamaged) {
		return err
	}
	for _, e := range []error{berrors.ErrInvalid, berrors.ErrVersionMismatch, berrors.ErrChecksum} {
		if errors.Is(err, e) {
			findings := []error{fmt.Errorf("bbolt refuses it: %w", err)}
			if more, cerr := checkFile(path, nil, false, nil); cerr == nil && len(more) > 0 {
				findings = more
			}
			return &DamageError{Path: path, Findings: findings}
		}
	}
	return fmt.Errorf("open journal %s: %w", path, err)
}

// checkOpen checks the pages every command needs (see checkFile).
func (j *Journal) checkOpen() error {
	findings, err := checkFile(j.path, nil, false, j.opts.Parse)
	if err != nil {
		return err
	}
	if len(findings) > 0 {
		return &DamageError{Path: j.path, Findings: findings}
	}
	return nil
}

// checkBucket checks every page of bucket name, once per opened journal.
func (j *Journal) checkBucket(name string) error {
	j.fullMu.Lock()
	defer j.fullMu.Unlock()
	if j.full[name] {
		return nil
	}
	findings, err := checkFile(j.path, map[string]bool{name: true}, false, j.opts.Parse)
	if err != nil {
		return err
	}
	if len(findings) > 0 {
		return &DamageError{Path: j.path, Findings: findings}
	}
	j.full[name] = true
	return nil
}

// checked returns bucket name of the transaction after every page of it
// was checked, for the walks that go beyond what Open checks (a whole
// history or undo bucket). Damage panics with a damagePanic, which the
// transaction's guard returns as its error.
func (t *Tx) checked(name []byte) *bolt.Bucket {
	if err := t.j.checkBucket(string(name)); err != nil {
		panic(damagePanic{err})
	}
	return t.tx.Bucket(name)
}

// cutShort returns a *DamageError for a file too short to have been
// initialised that still holds a meta page of a transaction after bbolt's
// own initialisation (txid 0 and 1): a journal cut short, which may have
// held the truth, not one whose first initialisation a crash interrupted.
func cutShort(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	if err != nil {
		return nil
	}
	pf := openPageFile(f, st.Size())
	for _, m := range pf.metas {
		if m.err == nil && m.m.txid >= 2 {
			return &DamageError{Path: path, Findings: []error{&PageError{Msg: fmt.Sprintf(
				"the file is %d bytes, cut short: its meta page records transaction %d, of %d pages", st.Size(), m.m.txid, m.m.hwm)}}}
		}
	}
	return nil
}

// truncated returns a *DamageError for a file shorter than the pages its
// newest valid meta page says are in use: bbolt would read past its end
// (a fault, caught, but with bbolt's own file handle left open, which on
// Windows keeps the file from being moved aside). nil when the file is
// absent, has no valid meta page (bolt.Open refuses it cleanly) or is
// long enough.
func truncated(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer func() { _ = f.Close() }()
	st, err := f.Stat()
	if err != nil {
		return nil
	}
	pf := openPageFile(f, st.Size())
	if pf.use < 0 {
		return nil
	}
	m := pf.meta()
	if need := int64(m.hwm) * int64(pf.psz); need > st.Size() {
		return &DamageError{Path: path, Findings: []error{&PageError{Msg: fmt.Sprintf(
			"the file is %d bytes, cut short: its meta page (transaction %d) uses %d pages of %d bytes", st.Size(), m.txid, m.hwm, pf.psz)}}}
	}
	return nil
}
