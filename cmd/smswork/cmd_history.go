package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"smswork/internal/failpoint"
	"smswork/journal"
	"smswork/ops"
)

type historyOptions struct {
	json     bool
	since    string
	until    string
	outcomes []string
	path     string
	batch    uint64
	limit    int
	oldest   bool
}

// historyOutcomes are the values --outcome takes: the outcomes records
// carry, and two that describe an operation's life.
var historyOutcomes = []string{
	string(ops.Done), string(ops.AlreadyDone), string(ops.Failed), string(ops.Skipped), string(ops.Held),
	string(ops.RebootPending), string(ops.Checkpoint), string(ops.Undone), string(ops.Dropped), string(ops.Lost), string(ops.Salvaged),
	"interrupted", // interrupted at least once, then finished (rerun)
	"resolved",    // a person decided it (smswork resolve)
}

func newHistoryCommand(g *globalOptions) *cobra.Command {
	o := &historyOptions{}
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Show the audit trail of completed operations",
		Long: `history prints the audit records of the journal, newest first: when each
operation ran, its outcome, the entry, and for copies the bytes and SHA-256
written. --json prints each record as stored, one JSON object per line: the
exact bytes its hash covers (see smswork verify). Records are streamed: a
million of them never sit in memory.

--path matches any path of an operation: the paths of its entry, each file a
wildcard expanded to, and each file it wrote or removed; case-insensitively,
with \ or / as separator. --outcome takes a comma-separated list of done,
already-done, failed, skipped, held, checkpoint, undone (an operation whose
prior state a rollback or 'smswork undo' restored), dropped (an entry of a
rolled-back atomic batch its author chose to drop), interrupted (interrupted
at least once, then finished) and resolved (decided by a person). --batch
shows one batch, for example before 'smswork undo BATCH'.`,
		Example: `  smswork history --limit 20
  smswork history --json --since 2026-11-01 --outcome failed,held
  smswork history --path 'c:\windows\system\netapi.dll'
  smswork history prune --before 2026-01-01`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runHistory(cmd.Context(), g, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "one JSON object per line, as stored")
	f.StringVar(&o.since, "since", "", "only records committed at or after this time (RFC 3339 or YYYY-MM-DD, local time)")
	f.StringVar(&o.until, "until", "", "only records committed before this time (RFC 3339 or YYYY-MM-DD, local time)")
	f.StringSliceVar(&o.outcomes, "outcome", nil, "only these outcomes: "+strings.Join(historyOutcomes, ", "))
	f.StringVar(&o.path, "path", "", "only operations naming this path (case-insensitive; \\ or /)")
	f.Uint64Var(&o.batch, "batch", 0, "only this batch")
	f.IntVar(&o.limit, "limit", 0, "at most this many records (0: all)")
	f.BoolVar(&o.oldest, "oldest-first", false, "oldest first")
	cmd.AddCommand(newPruneCommand(g))
	return cmd
}

func parseTime(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.ParseInLocation(layout, s, time.Local); err == nil {
			return t, nil
		}
	}
	return time.Time{}, usageErr("--%s %q: want RFC 3339 or YYYY-MM-DD", flag, s)
}

// historyFilter is the parsed filters of history.
type historyFilter struct {
	since, until time.Time
	outcomes     []string
	path         string // normalised with normPath; "" for any
	batch        uint64
}

func (o *historyOptions) filter() (*historyFilter, error) {
	var f historyFilter
	var err error
	if f.since, err = parseTime("since", o.since); err != nil {
		return nil, err
	}
	if f.until, err = parseTime("until", o.until); err != nil {
		return nil, err
	}
	for _, oc := range o.outcomes {
		oc = strings.ToLower(strings.TrimSpace(oc))
		if !slices.Contains(historyOutcomes, oc) {
			return nil, usageErr("--outcome %q: want one of %s", oc, strings.Join(historyOutcomes, ", "))
		}
		f.outcomes = append(f.outcomes, oc)
	}
	if o.limit < 0 {
		return nil, usageErr("--limit %d: want 0 or more", o.limit)
	}
	f.path = normPath(o.path)
	f.batch = o.batch
	return &f, nil
}

// any says some filter is set: records must be decoded to be chosen.
func (f *historyFilter) any() bool {
	return !f.since.IsZero() || !f.until.IsZero() || len(f.outcomes) > 0 || f.path != "" || f.batch != 0
}

func runHistory(_ context.Context, g *globalOptions, o *historyOptions) error {
	flt, err := o.filter()
	if err != nil {
		return err
	}
	j, err := g.openJournal(true)
	if errors.Is(err, os.ErrNotExist) {
		return nil // no journal yet: an empty history
	}
	if errors.Is(err, journal.ErrLocked) {
		return historyInProgress(g, o, flt, err)
	}
	if err != nil {
		return err
	}
	defer func() { _ = j.Close() }()
	w := bufio.NewWriterSize(g.stdout, 256<<10)
	if !o.json {
		writeHistoryHeader(w)
	}
	decode := !o.json || flt.any()
	n := 0
	err = j.View(func(tx *journal.Tx) error {
		return tx.HistoryRaw(!o.oldest, func(key uint64, v []byte) (bool, error) {
			var r *journal.Record
			if decode {
				var err error
				if r, err = journal.DecodeRecord(v); err != nil {
					return false, fmt.Errorf("history record %d: %w (see smswork verify)", key, err)
				}
				if !flt.match(r) {
					return true, nil
				}
			}
			if o.json {
				_, _ = w.Write(v)
				_ = w.WriteByte('\n')
			} else {
				writeHistoryLine(w, r)
			}
			n++
			return o.limit == 0 || n < o.limit, nil
		})
	})
	if ferr := w.Flush(); err == nil {
		err = ferr
	}
	return err
}

// writeHistoryHeader heads the table of records.
func writeHistoryHeader(w io.Writer) {
	fmt.Fprintf(w, "%-7s %-19s %-12s %-9s %s\n", "RECORD", "COMMITTED", "OUTCOME", "BATCH:POS", "ENTRY")
}

// historyInProgress is history while a run holds the journal: the
// records of this run its status file keeps (the last ones), newest first
// unless --oldest-first, with the filters applied; a notice on standard
// error says so. Held by something else, the journal's lock error stands.
func historyInProgress(g *globalOptions, o *historyOptions, flt *historyFilter, lockErr error) error {
	st, err := readRunState(g.journalPath())
	if err != nil {
		return err
	}
	if !st.running() {
		return &exitError{code: exitLocked, err: fmt.Errorf("another smswork holds the journal, and it is not a run: try again in a moment: %w", lockErr)}
	}
	printInProgress(g.stderr, st, statusFileName(g.journalPath()))
	fmt.Fprintf(g.stderr, "the journal is the %s's until it ends: shown are the last %d record(s) of this %s, from its status file; %s then shows them all\n",
		st.Kind, len(st.Recent), st.Kind, g.command("history"))
	recs := st.Recent
	if !o.oldest {
		recs = make([]json.RawMessage, len(st.Recent))
		for i, r := range st.Recent {
			recs[len(recs)-1-i] = r
		}
	}
	w := bufio.NewWriter(g.stdout)
	if !o.json {
		writeHistoryHeader(w)
	}
	n := 0
	for _, v := range recs {
		r, err := journal.DecodeRecord(v)
		if err != nil || !flt.match(r) {
			continue
		}
		if o.json {
			_, _ = w.Write(v)
			_ = w.WriteByte('\n')
		} else {
			writeHistoryLine(w, r)
		}
		if n++; o.limit > 0 && n >= o.limit {
			break
		}
	}
	return w.Flush()
}

func writeHistoryLine(w io.Writer, r *journal.Record) {
	entry := r.Raw
	if r.IsCheckpoint() && r.Checkpoint != nil {
		entry = fmt.Sprintf("(checkpoint: %d record(s) through %d, committed before %s, were pruned)",
			r.Checkpoint.Pruned, r.Checkpoint.Through, r.Checkpoint.Before.Local().Format("2006-01-02 15:04:05"))
	}
	if (r.Outcome == ops.Lost || r.Outcome == ops.Salvaged) && r.Salvage != nil {
		entry = "(smswork journal salvage)" // what it did is the note
	}
	fmt.Fprintf(w, "%-7d %-19s %-12s %-9s %s%s\n", r.ID, r.Committed.Local().Format("2006-01-02 15:04:05"), r.Outcome,
		fmt.Sprintf("%d:%d", r.Batch, r.Pos), entry, historyNote(r))
}

func historyNote(r *journal.Record) string {
	var notes []string
	if r.Interrupted > 0 {
		notes = append(notes, fmt.Sprintf("interrupted %dx", r.Interrupted))
	}
	if r.StillQueued {
		notes = append(notes, "still queued")
	}
	if r.Undoes != 0 {
		notes = append(notes, fmt.Sprintf("undoes record %d", r.Undoes))
	}
	switch {
	case r.DecidedBy != "" && r.Decision != "":
		notes = append(notes, fmt.Sprintf("%s by %s", r.Decision, r.DecidedBy))
	case r.DecidedBy != "":
		notes = append(notes, "asked by "+r.DecidedBy)
	}
	if r.Op.Kind == ops.KindRun && (r.Outcome == ops.Done || r.Outcome == ops.Failed) {
		notes = append(notes, fmt.Sprintf("exit %d", r.Result.ExitCode))
	}
	if r.Result.Bytes > 0 {
		notes = append(notes, fmt.Sprintf("%d bytes", r.Result.Bytes))
	}
	if r.Result.Err != "" {
		notes = append(notes, r.Result.Err)
	}
	if len(notes) == 0 {
		return ""
	}
	return "  (" + strings.Join(notes, "; ") + ")"
}

func (f *historyFilter) match(r *journal.Record) bool {
	if !f.since.IsZero() && r.Committed.Before(f.since) {
		return false
	}
	if !f.until.IsZero() && !r.Committed.Before(f.until) {
		return false
	}
	if len(f.outcomes) > 0 && !slices.ContainsFunc(f.outcomes, func(oc string) bool { return outcomeIs(r, oc) }) {
		return false
	}
	if f.batch != 0 && r.Batch != f.batch {
		return false
	}
	if f.path != "" && !slices.ContainsFunc(recordPaths(r), func(p ops.Path) bool { return normPath(p.String()) == f.path }) {
		return false
	}
	return true
}

func outcomeIs(r *journal.Record, oc string) bool {
	switch oc {
	case "interrupted":
		return r.Interrupted > 0
	case "resolved":
		return r.Decision != ""
	}
	return string(r.Outcome) == oc
}

// recordPaths returns every path of r's operation: its entry's, its
// intent's items (a wildcard's expansion) and the files it wrote or
// removed.
func recordPaths(r *journal.Record) []ops.Path {
	ps := r.Op.Paths()
	if r.Intent != nil {
		for _, it := range r.Intent.Items {
			ps = append(ps, it.Src)
			if !it.Dst.IsZero() {
				ps = append(ps, it.Dst)
			}
		}
	}
	for _, fr := range r.Result.Files {
		ps = append(ps, fr.Path)
	}
	return ps
}

// normPath returns a path as DOS compares it: quotes and blanks trimmed,
// `/` read as `\`, repeated and trailing separators dropped, lower case;
// `C:/x` and `c:\X\` are the same path.
func normPath(s string) string {
	s = strings.Trim(strings.TrimSpace(s), `"`)
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(s, "/", `\`)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && b.Len() > 0 && strings.HasSuffix(b.String(), `\`) {
			continue
		}
		b.WriteByte(s[i])
	}
	s = b.String()
	if len(s) > 1 && strings.HasSuffix(s, `\`) && !(len(s) == 3 && s[1] == ':') {
		s = s[:len(s)-1]
	}
	return strings.ToLower(s)
}

type pruneOptions struct {
	before string
	step   int
}

func newPruneCommand(g *globalOptions) *cobra.Command {
	o := &pruneOptions{}
	cmd := &cobra.Command{
		Use:   "prune --before DATE",
		Short: "Remove old audit records, keeping the chain verifiable, and shrink the journal",
		Long: `prune removes the audit records committed before DATE (oldest first, up to the
first that is not) and puts one checkpoint record in their place: it carries
the hash of the last record removed, so smswork verify still checks every
record that remains. The journal file is then compacted into a new file that
replaces it atomically (a crash at any point leaves the old journal or the new
one, complete). prune writes the journal: it waits for no run, and exits 75
when one holds it. It refuses a journal whose chain does not verify.`,
		Example: `  smswork history prune --before 2026-01-01`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runPrune(cmd.Context(), g, o, os.Getenv("SMSWORK_FAILPOINT"))
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.before, "before", "", "remove records committed before this time (RFC 3339 or YYYY-MM-DD, local time)")
	f.IntVar(&o.step, "step", 0, "records removed per transaction (0: default)")
	_ = f.MarkHidden("step")
	return cmd
}

func runPrune(_ context.Context, g *globalOptions, o *pruneOptions, fpSpec string) error {
	if o.before == "" {
		return usageErr("--before DATE is required")
	}
	before, err := parseTime("before", o.before)
	if err != nil {
		return err
	}
	fp, err := failpoint.Parse(fpSpec)
	if err != nil {
		return usageErr("%v", err)
	}
	j, err := g.openJournal(false)
	if err != nil {
		return err
	}
	defer func() { _ = j.Close() }()
	res, err := j.Prune(before, time.Now(), journal.PruneOptions{Step: o.step, Failpoint: fp})
	if err != nil {
		return err
	}
	if res.Pruned == 0 {
		fmt.Fprintf(g.stdout, "no record committed before %s: nothing pruned\n", before.Format(time.RFC3339))
		return nil
	}
	fmt.Fprintf(g.stdout, "pruned %d record(s) through record %d; a checkpoint stands for them\njournal %s: %d -> %d bytes\n",
		res.Pruned, res.Through, j.Path(), res.SizeBefore, res.SizeAfter)
	return nil
}
