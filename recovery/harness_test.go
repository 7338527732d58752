package recovery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rs/zerolog"

	"smswork/journal"
	"smswork/ops"
	"smswork/smsini"
)

// The harness: a real journal (bbolt file) and a real SMS.INI under
// t.TempDir(), a scripted executor and fake backups over a small model of
// the disk (world), and crashes by panic at a chosen step. After a crash
// the journal is closed and opened again, as the next start would; the
// world, like a disk, keeps what was done to it.

// crash is the panic a scripted crash raises.
type crash struct{ at string }

// world is what the operations change: the content of each path (a file
// operation's effect is its intent's stamp written there; a path absent
// from files is absent) and how many times each program ran.
type world struct {
	files map[string]string
	runs  map[string]int
}

// clock is Config.Now: a millisecond later at each call, so that every
// record's times are known.
type clock struct{ t time.Time }

func (c *clock) now() time.Time {
	c.t = c.t.Add(time.Millisecond)
	return c.t
}

// script is what the executor does with one operation (by name, see
// nameOf); calls are counted from 1 over the whole test, crashes included.
type script struct {
	// fail fails executions up to this one (-1: every one).
	fail  int
	inUse bool
	// panicPrepare, panicBefore and panicAfter crash at that call of
	// Prepare, or of Execute before or after its effect.
	panicPrepare, panicBefore, panicAfter int
}

// call is one call of the executor.
type call struct {
	what  string // prepare or execute
	name  string
	stamp string // the intent's stamp (execute of a file operation)
}

// scriptedExec is a recovery.Executor over world, scripted by name.
type scriptedExec struct {
	w       *world
	clock   *clock
	scripts map[string]*script
	calls   []call
	// prepared counts the intents made, to stamp each one apart.
	prepared int
	// onExecute, when set, is called at each execution before its effect
	// (the test looks at the journal and SMS.INI there).
	onExecute func(name string)
}

var _ Executor = (*scriptedExec)(nil)

// nameOf names an operation: the path of a file operation (`del c:\a` is
// "a"), the argument of a run operation (`prog r` is "r").
func nameOf(op *ops.Op) string {
	if op.Kind == ops.KindRun {
		return op.Argv[len(op.Argv)-1]
	}
	return op.Src.Rel
}

func (x *scriptedExec) count(what, name string) int {
	n := 0
	for _, c := range x.calls {
		if c.what == what && c.name == name {
			n++
		}
	}
	return n
}

func (x *scriptedExec) script(name string) *script {
	if s := x.scripts[name]; s != nil {
		return s
	}
	return &script{}
}

// names returns the names of the calls of kind what, in order.
func (x *scriptedExec) names(what string) []string {
	var ns []string
	for _, c := range x.calls {
		if c.what == what {
			ns = append(ns, c.name)
		}
	}
	return ns
}

// Prepare returns an intent stamped apart from every other one (the
// stamp is what a file operation writes), or a run operation's empty one.
func (x *scriptedExec) Prepare(op *ops.Op, opID uint64) (*ops.Intent, error) {
	name := nameOf(op)
	x.calls = append(x.calls, call{what: "prepare", name: name})
	if n := x.script(name).panicPrepare; n != 0 && x.count("prepare", name) == n {
		panic(crash{"prepare " + name})
	}
	if op.Kind == ops.KindRun {
		return &ops.Intent{}, nil
	}
	x.prepared++
	stamp := fmt.Sprintf("%s@%d#%d", name, opID, x.prepared)
	return &ops.Intent{Items: []ops.Item{{Src: op.Src, Temp: stamp}}}, nil
}

// Execute applies the operation to the world as its intent says: a file
// operation whose stamp is in place already is already done (the
// idempotence real file operations have from their intent).
func (x *scriptedExec) Execute(_ context.Context, op *ops.Op, in *ops.Intent, _ func(*ops.Intent) error) ops.Result {
	name := nameOf(op)
	c := call{what: "execute", name: name}
	if len(in.Items) > 0 {
		c.stamp = in.Items[0].Temp
	}
	x.calls = append(x.calls, c)
	n := x.count("execute", name)
	s := x.script(name)
	if x.onExecute != nil {
		x.onExecute(name)
	}
	if s.panicBefore == n {
		panic(crash{"before executing " + name})
	}
	res := ops.Result{Start: x.clock.now()}
	switch {
	case s.fail == -1 || n <= s.fail:
		res.Outcome, res.Err, res.InUse = ops.Failed, "scripted failure of "+name, s.inUse
	case op.Kind == ops.KindRun:
		x.w.runs[name]++
		res.Outcome = ops.Done
	case x.w.files[name] == c.stamp:
		res.Outcome = ops.AlreadyDone
	default:
		x.w.files[name] = c.stamp
		res.Outcome = ops.Done
	}
	if s.panicAfter == n {
		panic(crash{"after executing " + name})
	}
	res.End = x.clock.now()
	return res
}

// fakeBackups is a recovery.Backups over world: it keeps the content a
// file operation's path had when its backups were captured, and puts it
// back.
type fakeBackups struct {
	w     *world
	clock *clock
	kept  map[string]string // backup name -> content
	// restored lists the stamps of the intents restored, in order.
	restored []string
	removed  []string
	// panicRestore crashes at that call of Restore, before it restores.
	panicRestore, restores int
}

var _ Backups = (*fakeBackups)(nil)

func (b *fakeBackups) Plan(seq uint64, attempt int, op *ops.Op, in *ops.Intent) error {
	bk := ops.Backup{Path: op.Src, Prior: ops.PriorAbsent}
	if _, ok := b.w.files[op.Src.Rel]; ok {
		bk.Prior, bk.Name, bk.Size = ops.PriorFile, fmt.Sprintf("%d-%d", seq, attempt), 1
	}
	in.Backups = append(in.Backups, bk)
	return nil
}

func (b *fakeBackups) Capture(in *ops.Intent) error {
	for _, bk := range in.Backups {
		if _, ok := b.kept[bk.Name]; bk.Name != "" && !ok {
			b.kept[bk.Name] = b.w.files[bk.Path.Rel]
		}
	}
	return nil
}

func (b *fakeBackups) Restore(in *ops.Intent, _ func(string)) (ops.Result, error) {
	b.restores++
	if b.restores == b.panicRestore {
		panic(crash{"restore"})
	}
	for i := len(in.Backups) - 1; i >= 0; i-- {
		bk := in.Backups[i]
		if bk.Prior == ops.PriorAbsent {
			delete(b.w.files, bk.Path.Rel)
			continue
		}
		v, ok := b.kept[bk.Name]
		if !ok {
			return ops.Result{}, fmt.Errorf("backup %s is not kept", bk.Name)
		}
		b.w.files[bk.Path.Rel] = v
	}
	b.restored = append(b.restored, in.Items[0].Temp)
	now := b.clock.now()
	return ops.Result{Outcome: ops.Done, Start: now, End: now}, nil
}

func (b *fakeBackups) Conflicts(_ *ops.Op, in *ops.Intent, _ *ops.Result) ([]string, error) {
	var cs []string
	for _, bk := range in.Backups {
		if b.w.files[bk.Path.Rel] != in.Items[0].Temp {
			cs = append(cs, bk.Path.String())
		}
	}
	return cs, nil
}

func (b *fakeBackups) Remove(names []string) error {
	for _, n := range names {
		delete(b.kept, n)
	}
	b.removed = append(b.removed, names...)
	return nil
}

// The SMS.INI every test starts from: PendingWork between other bytes
// that must never change.
const (
	iniHead = "; queued by the tests\r\n[SMS Work]\r\nInstalled=1\r\n"
	iniTail = "\r\n[Other]\r\nPendingWork=not ours\r\n"
)

// mustOpenJournal opens the journal at path and returns it with its
// close: at the latest at clean-up, close checks bbolt's consistency and
// the hash chain of the audit history, then closes it.
func mustOpenJournal(t *testing.T, path string) (*journal.Journal, func()) {
	t.Helper()
	j, err := journal.Open(path, journal.Options{Host: "test", Version: "test"})
	if err != nil {
		t.Fatal(err)
	}
	closed := false
	closeJ := func() {
		if closed {
			return
		}
		closed = true
		if errs := j.Check(); len(errs) > 0 {
			t.Errorf("bbolt check of %s: %v", path, errs)
		}
		if err := j.View(func(tx *journal.Tx) error {
			if errs := tx.VerifyChain(); len(errs) > 0 {
				t.Errorf("hash chain of %s: %v", path, errs)
			}
			return nil
		}); err != nil {
			t.Error(err)
		}
		if err := j.Close(); err != nil {
			t.Error(err)
		}
	}
	t.Cleanup(closeJ)
	return j, closeJ
}

// env is one test's SMS.INI, journal, world and executor.
type env struct {
	t         *testing.T
	ini, path string
	w         *world
	clock     *clock
	exec      *scriptedExec
	bk        *fakeBackups // nil: backups off
	j         *journal.Journal
	closeJ    func()
	log       bytes.Buffer
	// crashAt crashes at the n-th hit of a named failpoint ("name" or
	// "name:n"); onFailpoint sees every hit first.
	crashAt     string
	hits        map[string]int
	onFailpoint func(name string)
}

func newEnv(t *testing.T, entries ...string) *env {
	t.Helper()
	dir := t.TempDir()
	c := &clock{t: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	w := &world{files: map[string]string{}, runs: map[string]int{}}
	e := &env{t: t, ini: filepath.Join(dir, "SMS.INI"), path: filepath.Join(dir, "smswork.journal"), w: w, clock: c,
		exec: &scriptedExec{w: w, clock: c, scripts: map[string]*script{}}, hits: map[string]int{}}
	e.writeIni(entries...)
	e.j, e.closeJ = mustOpenJournal(t, e.path)
	return e
}

// withBackups turns backups on.
func (e *env) withBackups() *env {
	e.bk = &fakeBackups{w: e.w, clock: e.clock, kept: map[string]string{}}
	return e
}

func (e *env) writeIni(entries ...string) {
	e.t.Helper()
	data := iniHead + "PendingWork=" + strings.Join(entries, ", ") + iniTail
	if err := os.WriteFile(e.ini, []byte(data), 0o644); err != nil {
		e.t.Fatal(err)
	}
}

// pending returns what SMS.INI's PendingWork lists, and checks that its
// other bytes are as they were.
func (e *env) pending() []string {
	e.t.Helper()
	data, err := os.ReadFile(e.ini)
	if err != nil {
		e.t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte(iniHead)) || !bytes.HasSuffix(data, []byte(iniTail)) {
		e.t.Fatalf("SMS.INI's other bytes changed:\n%s", data)
	}
	f, err := smsini.Parse(e.ini, data)
	if err != nil {
		e.t.Fatal(err)
	}
	return f.Texts()
}

func (e *env) failpoint(name string) {
	e.hits[name]++
	if e.onFailpoint != nil {
		e.onFailpoint(name)
	}
	if e.crashAt == name || e.crashAt == fmt.Sprintf("%s:%d", name, e.hits[name]) {
		panic(crash{name})
	}
}

func (e *env) config() Config {
	cfg := Config{Ini: e.ini, Journal: e.j, Exec: e.exec, Now: e.clock.now, Log: zerolog.New(&e.log),
		Failpoint: e.failpoint, KeepBackups: -1}
	if e.bk != nil {
		cfg.Backups = e.bk
	}
	return cfg
}

// run is Run with cfg changed by mod; it fails the test on an error or a
// crash, and checks that SMS.INI is the journal's mirror.
func (e *env) run(mod func(*Config)) *Summary {
	e.t.Helper()
	sum, crashed, err := e.try(func(cfg Config) (*Summary, error) { return Run(context.Background(), cfg) }, mod)
	if crashed != "" {
		e.t.Fatalf("run crashed at %s", crashed)
	}
	if err != nil {
		e.t.Fatalf("run: %v", err)
	}
	e.checkMirror()
	return sum
}

// crashRun is Run that must crash (at e.crashAt, or as scripted); the
// journal is then closed and opened again, and crashAt cleared.
func (e *env) crashRun(mod func(*Config)) {
	e.t.Helper()
	_, crashed, err := e.try(func(cfg Config) (*Summary, error) { return Run(context.Background(), cfg) }, mod)
	if crashed == "" {
		e.t.Fatalf("run did not crash (err %v)", err)
	}
	e.restart()
}

// restart is the start after a crash: the journal closed and opened
// again, SMS.INI still the journal's mirror.
func (e *env) restart() {
	e.t.Helper()
	e.crashAt = ""
	e.closeJ()
	e.j, e.closeJ = mustOpenJournal(e.t, e.path)
	e.checkMirror()
}

// try calls fn with the config and reports a crash (its point) instead
// of panicking.
func (e *env) try(fn func(Config) (*Summary, error), mod func(*Config)) (sum *Summary, crashed string, err error) {
	cfg := e.config()
	if mod != nil {
		mod(&cfg)
	}
	defer func() {
		if v := recover(); v != nil {
			c, ok := v.(crash)
			if !ok {
				panic(v)
			}
			crashed = c.at
		}
	}()
	sum, err = fn(cfg)
	return sum, "", err
}

// view runs fn in a read transaction of the journal.
func (e *env) view(fn func(tx *journal.Tx) error) {
	e.t.Helper()
	if err := e.j.View(fn); err != nil {
		e.t.Fatal(err)
	}
}

// records returns the audit history, oldest first.
func (e *env) records() []*journal.Record {
	e.t.Helper()
	var recs []*journal.Record
	e.view(func(tx *journal.Tx) error {
		return tx.History(false, func(r *journal.Record) (bool, error) {
			recs = append(recs, r)
			return true, nil
		})
	})
	return recs
}

// outcomes returns the outcomes of the records of entry raw, oldest first.
func (e *env) outcomes(raw string) []ops.Outcome {
	var out []ops.Outcome
	for _, r := range e.records() {
		if r.Raw == raw {
			out = append(out, r.Outcome)
		}
	}
	return out
}

// queue returns the journal's queue bucket, in order.
func (e *env) queue() []journal.Entry {
	e.t.Helper()
	var es []journal.Entry
	e.view(func(tx *journal.Tx) error {
		return tx.Queue(func(en *journal.Entry) error { es = append(es, *en); return nil })
	})
	return es
}

// entry returns operation seq of the queue (nil when it left it).
func (e *env) entry(seq uint64) *journal.Entry {
	e.t.Helper()
	var en *journal.Entry
	e.view(func(tx *journal.Tx) (err error) {
		en, err = tx.Get(seq)
		if errors.Is(err, journal.ErrNotFound) {
			return nil
		}
		return err
	})
	return en
}

// checkMirror checks SMS.INI against what the journal says it lists (the
// mirror protocol): the operations from the mirror's start on, in order,
// then entries not ingested yet; every operation before the start is
// committed. It holds at every instant, crashes included: SMS.INI may
// trail the journal, never lead it.
func (e *env) checkMirror() {
	e.t.Helper()
	file := e.pending()
	e.view(func(tx *journal.Tx) error {
		m, err := tx.Mirror()
		if err != nil {
			return err
		}
		start := m.Start
		if p := m.Pending; p != nil {
			if _, err := os.Lstat(p.Temp); errors.Is(err, os.ErrNotExist) {
				start = p.Start
			}
		}
		var listed []string
		err = tx.Queue(func(en *journal.Entry) error {
			if en.Seq < start && en.State != journal.Committed {
				e.t.Errorf("operation %d %q is %s but SMS.INI no longer lists it (SMS.INI %q)", en.Seq, en.Raw, en.State, file)
			}
			if en.Seq >= start {
				listed = append(listed, en.Raw)
			}
			return nil
		})
		if len(file) < len(listed) || !slices.Equal(file[:len(listed)], listed) {
			e.t.Errorf("SMS.INI lists %q, the journal says it begins with %q", file, listed)
		}
		return err
	})
}

// remaining returns the entries of operations not committed, in order:
// what SMS.INI must list once a run has ended.
func (e *env) remaining() []string {
	var rs []string
	for _, en := range e.queue() {
		if en.State != journal.Committed {
			rs = append(rs, en.Raw)
		}
	}
	return rs
}

// wantPending checks that SMS.INI lists exactly want, and that want is
// what the journal has left.
func (e *env) wantPending(want ...string) {
	e.t.Helper()
	if got := e.pending(); !slices.Equal(got, want) {
		e.t.Errorf("SMS.INI lists %q, want %q", got, want)
	}
	if got := e.remaining(); !slices.Equal(got, want) {
		e.t.Errorf("journal has %q left, want %q", got, want)
	}
}

// recordsOf returns the records of entry raw, oldest first.
func (e *env) recordsOf(raw string) []*journal.Record {
	var out []*journal.Record
	for _, r := range e.records() {
		if r.Raw == raw {
			out = append(out, r)
		}
	}
	return out
}
