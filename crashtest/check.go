package crashtest

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path"
	"strings"

	"smswork/journal"
	"smswork/ops"
	"smswork/smsini"
)

// Expected is the crash-free result of a workload.
type Expected struct {
	Tree Tree
	Ini  []byte
}

// snapshotDrives snapshots drives C and D of s.
func snapshotDrives(s *Sandbox) (Tree, error) {
	return Snapshot(s.Dir, func(rel string) bool {
		return rel == "counters" || strings.HasPrefix(rel, "journal.db")
	})
}

// RunReference installs w in s, runs it without a crash and records the
// result.
func RunReference(s *Sandbox, w *Workload) (*Expected, error) {
	if err := w.Install(s); err != nil {
		return nil, err
	}
	o, err := s.Run(nil, "run")
	if err != nil {
		return nil, err
	}
	if o.Code != 0 {
		return nil, fmt.Errorf("reference run exit %d: %s", o.Code, o.Stderr)
	}
	t, err := snapshotDrives(s)
	if err != nil {
		return nil, err
	}
	ini, err := os.ReadFile(s.Ini)
	if err != nil {
		return nil, err
	}
	return &Expected{Tree: t, Ini: ini}, nil
}

// outside returns the bytes of an SMS.INI outside its PendingWork value.
func outside(data []byte) (string, error) {
	f, err := smsini.Parse("SMS.INI", data)
	if err != nil {
		return "", err
	}
	return string(f.Render([]string{"\x00"})), nil
}

// CheckCrashed checks what must hold at every instant, right after a crash
// and before recovery (promises 1, 5 and 7): SMS.INI parses, its other bytes
// are unchanged, it lists a suffix of the whole queue, and every
// operation the journal has not committed is still listed in it.
func CheckCrashed(s *Sandbox, w *Workload) []string {
	v := checkCrashed(s, w)
	tally.violations(s.kind(), len(v))
	return v
}

func checkCrashed(s *Sandbox, w *Workload) []string {
	var v []string
	data, err := os.ReadFile(s.Ini)
	if err != nil {
		return []string{fmt.Sprintf("SMS.INI unreadable: %v", err)}
	}
	f, err := smsini.Parse(s.Ini, data)
	if err != nil {
		return []string{fmt.Sprintf("SMS.INI does not parse: %v", err)}
	}
	got, err := outside(data)
	want, _ := outside(w.Ini)
	if err != nil || got != want {
		v = append(v, "SMS.INI bytes outside PendingWork changed")
	}
	all := w.AllEntries()
	texts := f.Texts()
	suffix := false
	for k := 0; k <= len(all); k++ {
		if equal(all[k:], texts) || (k <= len(w.Entries) && equal(w.Entries[k:], texts)) {
			suffix = true
			break
		}
	}
	if !suffix {
		v = append(v, fmt.Sprintf("SMS.INI lists %q, not a suffix of the queue", texts))
	}
	if _, err := os.Stat(s.Journal); err != nil {
		return v // never opened: nothing committed, nothing lost
	}
	j, err := journal.Open(s.Journal, journal.Options{ReadOnly: true})
	if errors.Is(err, os.ErrNotExist) {
		return v // its creation was cut short: nothing committed
	}
	if err != nil {
		if j != nil {
			// journal.Open returns the open journal with its
			// version-check error: close it, or its lock stays held.
			_ = j.Close()
		}
		return append(v, fmt.Sprintf("journal does not open: %v", err))
	}
	defer func() { _ = j.Close() }()
	listed := map[string]int{}
	for _, t := range texts {
		listed[t]++
	}
	err = j.View(func(tx *journal.Tx) error {
		return tx.Queue(func(e *journal.Entry) error {
			if e.State == journal.Committed {
				return nil
			}
			if listed[e.Raw] == 0 {
				v = append(v, fmt.Sprintf("uncommitted operation %d %q is not in SMS.INI (the mirror leads the journal)", e.Seq, e.Raw))
			}
			listed[e.Raw]--
			return nil
		})
	})
	if err != nil {
		v = append(v, fmt.Sprintf("journal unreadable: %v", err))
	}
	return v
}

// CheckRecovered checks the promises after a crash and a run to
// completion: the file tree and SMS.INI are byte for byte the crash-free
// ones (promises 2, 4, 5), every entry has its audit record (1, 6, 7),
// every run operation ran at least once and more only when the audit says
// it was interrupted (3), and smswork verify is clean.
func CheckRecovered(s *Sandbox, w *Workload, ref *Expected) []string {
	v := checkRecovered(s, w, ref)
	tally.violations(s.kind(), len(v))
	return v
}

func checkRecovered(s *Sandbox, w *Workload, ref *Expected) []string {
	var v []string
	tree, err := snapshotDrives(s)
	if err != nil {
		return []string{err.Error()}
	}
	for _, d := range ref.Tree.Diff(tree) {
		v = append(v, "tree: "+d)
	}
	if ini, err := os.ReadFile(s.Ini); err != nil || !bytes.Equal(ini, ref.Ini) {
		v = append(v, fmt.Sprintf("SMS.INI differs from the crash-free run:\n%s", ini))
	}
	recs, err := history(s)
	if err != nil {
		return append(v, err.Error())
	}
	final := map[string]int{}
	interrupted := map[string]int{}
	for _, r := range recs {
		if r.StillQueued {
			continue
		}
		final[r.Raw]++
		interrupted[r.Raw] += r.Interrupted
		if r.Outcome != ops.Done && r.Outcome != ops.AlreadyDone {
			v = append(v, fmt.Sprintf("record %d %q: outcome %s %s", r.ID, r.Raw, r.Outcome, r.Result.Err))
		}
	}
	counts, err := s.Counts()
	if err != nil {
		return append(v, err.Error())
	}
	// add.sh may have run more than once (interrupted, then run again):
	// each time it appended the entries. Its counter says how often, but
	// it is on the crashed disk and lags: a run whose line a power cut
	// took may still have added the entries (`smswork add` syncs them).
	// The journal bounds how often it ran: once per final record, and
	// once more per interruption.
	extraAdds := max(counts["r-add"]-1, 0)
	for _, e := range w.Entries {
		if name, ok := counterOf(e); ok && name == "r-add" {
			extraAdds = max(extraAdds, final[e]+interrupted[e]-1)
		}
	}
	occurs := map[string]int{}
	for _, e := range w.AllEntries() {
		occurs[e]++
	}
	for _, e := range w.AllEntries() {
		least, most := occurs[e], occurs[e]
		if isAppended(w, e) {
			most += extraAdds
		}
		if final[e] < least || final[e] > most {
			v = append(v, fmt.Sprintf("entry %q has %d final audit records, want %d to %d", e, final[e], least, most))
		}
		if name, ok := counterOf(e); ok {
			allowed := final[e] + interrupted[e]
			if counts[name] < 1 || counts[name] > allowed {
				v = append(v, fmt.Sprintf("run %q ran %d times; allowed 1 to %d (interrupted %d)", name, counts[name], allowed, interrupted[e]))
			}
		}
	}
	o, err := s.Run(nil, "verify")
	if err != nil || o.Code != 0 {
		v = append(v, fmt.Sprintf("verify: exit %d: %s%s", o.Code, o.Stdout, o.Stderr))
	}
	return v
}

func isAppended(w *Workload, e string) bool {
	for _, a := range w.Appended {
		if a == e {
			return true
		}
	}
	return false
}

// counterOf names the counter file a run entry bumps.
func counterOf(entry string) (string, bool) {
	f := strings.Fields(entry)
	if len(f) == 2 && f[0] == "sh" && path.Base(f[1]) == "add.sh" {
		return "r-add", true
	}
	if len(f) == 3 && f[0] == "sh" && path.Base(f[1]) == "bump.sh" {
		return f[2], true
	}
	return "", false
}

func history(s *Sandbox) ([]journal.Record, error) {
	o, err := s.Run(nil, "history", "--json", "--oldest-first")
	if err != nil || o.Code != 0 {
		return nil, fmt.Errorf("history: exit %d %v: %s", o.Code, err, o.Stderr)
	}
	var recs []journal.Record
	sc := bufio.NewScanner(strings.NewReader(o.Stdout))
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var r journal.Record
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("history line %q: %w", sc.Text(), err)
		}
		recs = append(recs, r)
	}
	return recs, sc.Err()
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
