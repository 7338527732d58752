package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"smswork/journal"
	"smswork/ops"
	"smswork/recovery"
)

// The status file is how status, history and plan see a run that holds the
// journal (bbolt's lock is exclusive: no reader opens the journal while a
// writer has it). The run rewrites it beside the journal (JOURNAL.status)
// as it goes (see statusEvery): one JSON object, replaced by a rename, so
// a reader sees one whole version or the previous one. It is a view, not the truth: it
// is not fsynced, a crash may leave it behind or lose it, and once the
// run ends the journal says everything again.

// statusFileName is the status file of the journal at path.
func statusFileName(journalPath string) string { return journalPath + ".status" }

// The status file is rewritten at points a run meets the same way every
// time (the crash tests count a run's system calls and need them the
// same in every run): at the start and the end; when an operation that may
// take a while starts (a program, a copy or move of statusLongBytes or
// more); at a failure or a hold; and after every statusEvery commits
// otherwise, so that a queue of quick operations costs a rewrite per
// statusEvery of them, not one each. A rewrite creates a file and renames
// it over the last (perf of 1,000 small dels: 2.2% of the CPU at a rewrite
// every 32; at about a millisecond an operation, every 128 still shows a
// quick queue's progress several times a second).
const (
	statusEvery     = 128
	statusLongBytes = 1 << 20
)

// statusRecent bounds the records of this run the status file keeps, in
// number and bytes.
const (
	statusRecent      = 20
	statusRecentBytes = 256 << 10
)

// runState is the content of the status file.
type runState struct {
	// Kind is "run" or "undo".
	Kind    string    `json:"kind"`
	PID     int       `json:"pid"`
	Host    string    `json:"host"`
	Version string    `json:"version"`
	Started time.Time `json:"started"`
	Updated time.Time `json:"updated"`
	// Finished is set when the command ended; a status file without it
	// and a journal no one holds is a run that was killed or lost power.
	Finished *time.Time `json:"finished,omitempty"`
	// Exit and Result are the command's exit status and last line.
	Exit   *int   `json:"exit,omitempty"`
	Result string `json:"result,omitempty"`
	// Open counts the operations not committed yet (-1: not known yet).
	Open   int `json:"open"`
	Done   int `json:"done"`
	Failed int `json:"failed"`
	Held   int `json:"held"`
	// Reboot counts the operations handed to Session Manager, waiting
	// for the reboot.
	Reboot  int `json:"reboot,omitempty"`
	Skipped int `json:"skipped"`
	Undone  int `json:"undone"`
	// Current is the operation running now.
	Current *runCurrent `json:"current,omitempty"`
	// Recent holds the run's last audit records, as stored in the journal
	// (history prints them while the run holds the journal), oldest first.
	Recent []json.RawMessage `json:"recent"`
	// RecentFrom is the ID of the run's first record.
	RecentFrom uint64 `json:"recentFrom,omitempty"`
}

// runCurrent is the operation a run is executing.
type runCurrent struct {
	Seq     uint64    `json:"seq"`
	Batch   uint64    `json:"batch"`
	Pos     int       `json:"pos"`
	Raw     string    `json:"raw"`
	Kind    ops.Kind  `json:"kind"`
	Started time.Time `json:"started"`
}

// statusWriter keeps the status file of one run.
type statusWriter struct {
	path string
	log  zerolog.Logger

	mu    sync.Mutex
	st    runState
	since int // commits since the last rewrite
	// pending are the records committed since the last rewrite that may
	// be among the recent ones (addRecent).
	pending []*journal.Record
	closed  bool
}

// newStatusWriter starts the status file of a run (kind "run" or "undo").
func newStatusWriter(journalPath, kind string, log zerolog.Logger) *statusWriter {
	host, _ := os.Hostname()
	now := time.Now().UTC()
	w := &statusWriter{path: statusFileName(journalPath), log: log,
		st: runState{Kind: kind, PID: os.Getpid(), Host: host, Version: buildVersion(), Started: now, Open: -1, Recent: []json.RawMessage{}}}
	// Temporary files a crash left between their write and their rename
	// (ours: the journal's holder is the only writer).
	if left, err := filepath.Glob(w.path + ".*.tmp"); err == nil {
		for _, l := range left {
			_ = os.Remove(l)
		}
	}
	w.mu.Lock()
	w.writeLocked()
	w.mu.Unlock()
	return w
}

// progress records p, and rewrites the file when due.
func (w *statusWriter) progress(p recovery.Progress) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return
	}
	w.st.Open = p.Open
	urgent := false
	if e := p.Current; e != nil {
		w.st.Current = &runCurrent{Seq: e.Seq, Batch: e.Batch, Pos: e.Pos, Raw: e.Raw, Kind: e.Op.Kind, Started: w.now()}
		urgent = e.Op.Kind == ops.KindRun || intentBytes(e.Intent) >= statusLongBytes // it may take its time
	}
	if r := p.Record; r != nil {
		w.st.Current = nil
		w.since++
		switch r.Outcome {
		case ops.Done, ops.AlreadyDone:
			w.st.Done++
		case ops.Failed:
			w.st.Failed++
			urgent = true
		case ops.Held:
			w.st.Held++
			urgent = true
		case ops.RebootPending:
			w.st.Reboot++
			urgent = true
		case ops.Skipped:
			w.st.Skipped++
		case ops.Undone:
			w.st.Undone++
		}
		w.addRecent(r)
	}
	if urgent || w.since >= statusEvery {
		w.writeLocked()
	}
}

// intentBytes is what an operation's intent says it will copy.
func intentBytes(in *ops.Intent) int64 {
	if in == nil {
		return 0
	}
	var n int64
	for _, it := range in.Items {
		n += it.SrcSize
	}
	return n
}

// addRecent keeps rec among the recent records. It is encoded when the
// file is next written (encodeRecent), not now: of the statusEvery
// records between two writes, at most statusRecent are kept, and a drain
// of small operations would spend a share of its CPU encoding records
// no one reads.
func (w *statusWriter) addRecent(rec *journal.Record) {
	if w.st.RecentFrom == 0 {
		w.st.RecentFrom = rec.ID
	}
	w.pending = append(w.pending, rec)
	if len(w.pending) > statusRecent {
		w.pending = append(w.pending[:0], w.pending[len(w.pending)-statusRecent:]...)
	}
}

// encodeRecent moves the pending records into the file's recent ones, in
// their stored form, within the bounds (w.mu held).
func (w *statusWriter) encodeRecent() {
	for _, rec := range w.pending {
		data, err := json.Marshal(rec) // the stored form: Hash is its last member
		if err != nil {
			continue
		}
		w.st.Recent = append(w.st.Recent, data)
	}
	clear(w.pending)
	w.pending = w.pending[:0]
	size := 0
	for i := len(w.st.Recent) - 1; i >= 0; i-- {
		size += len(w.st.Recent[i])
		if len(w.st.Recent)-i > statusRecent || (size > statusRecentBytes && i < len(w.st.Recent)-1) {
			w.st.Recent = append([]json.RawMessage(nil), w.st.Recent[i+1:]...)
			break
		}
	}
}

// finish writes the file's last version: the command's end, its exit
// status and last line.
func (w *statusWriter) finish(sum *recovery.Summary, code int, result string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := w.now()
	w.st.Finished, w.st.Exit, w.st.Result, w.st.Current = &now, &code, result, nil
	if sum != nil {
		w.st.Held = len(sum.Held)
		w.st.Open = sum.Remaining
	}
	w.writeLocked()
	w.closed = true
}

func (w *statusWriter) now() time.Time { return time.Now().UTC() }

// writeLocked replaces the file (w.mu held). A failure is logged, never
// fatal: the file is a view.
func (w *statusWriter) writeLocked() {
	w.st.Updated = w.now()
	w.since = 0
	w.encodeRecent()
	data, err := json.Marshal(&w.st)
	if err == nil {
		err = replaceFile(w.path, data)
	}
	if err != nil {
		w.log.Debug().Err(err).Str("file", w.path).Msg("status file not written")
	}
}

// replaceFile writes data to path through a temporary file renamed over
// it: readers see the old content or the new, whole. Not synced: the
// status file is a view that a crash may lose.
func replaceFile(path string, data []byte) error {
	tmp := path + "." + strconv.Itoa(os.Getpid()) + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		_ = os.Remove(tmp)
	}
	return err
}

// readRunState reads the status file of the journal at journalPath; nil
// and no error when there is none (or none readable: a view may be lost).
func readRunState(journalPath string) (*runState, error) {
	data, err := os.ReadFile(statusFileName(journalPath))
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var st runState
	if json.Unmarshal(data, &st) != nil {
		return nil, nil
	}
	return &st, nil
}

// running says st is of a command that has not finished.
func (st *runState) running() bool { return st != nil && st.Finished == nil }

// counts is the line that counts what a run did: "3 done, 1 failed, 0
// held, 2 remaining".
func (st *runState) counts() string {
	open := strconv.Itoa(st.Open)
	if st.Open < 0 {
		open = "?"
	}
	s := fmt.Sprintf("%d done, %d failed, %d held, %s remaining", st.Done, st.Failed, st.Held, open)
	if st.Skipped > 0 {
		s += fmt.Sprintf(", %d skipped", st.Skipped)
	}
	if st.Undone > 0 {
		s += fmt.Sprintf(", %d undone", st.Undone)
	}
	return s
}

// printInProgress says that a run holds the journal, and how far it is.
func printInProgress(w io.Writer, st *runState, path string) {
	fmt.Fprintf(w, "a %s is in progress (pid %d on %s, since %s, status file %s updated %s): %s\n", st.Kind, st.PID, st.Host,
		st.Started.Local().Format("15:04:05"), path, st.Updated.Local().Format("15:04:05.000"), st.counts())
	if c := st.Current; c != nil {
		fmt.Fprintf(w, "  now: operation %d (batch %d, entry %d) %s, since %s\n", c.Seq, c.Batch, c.Pos, ops.Show(c.Raw), c.Started.Local().Format("15:04:05"))
	}
}
