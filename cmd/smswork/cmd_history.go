package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"smswork/journal"
)

type historyOptions struct {
	json    bool
	since   string
	until   string
	outcome string
	path    string
	batch   uint64
	limit   int
	oldest  bool
}

func newHistoryCommand(g *globalOptions) *cobra.Command {
	o := &historyOptions{}
	cmd := &cobra.Command{
		Use:   "history",
		Short: "Show the audit trail of completed operations",
		Long: `history prints the audit records of the journal, newest first: when each
operation ran, its outcome, the entry, and for copies the bytes and SHA-256
written. --json prints one JSON object per line for machines. Records are
streamed: a million of them never sit in memory.`,
		Example: `  smswork history --limit 20
  smswork history --json --since 2026-11-01 --outcome failed
  smswork history --path 'c:\windows\system\netapi.dll'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runHistory(cmd.Context(), g, o)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&o.json, "json", false, "one JSON object per line")
	f.StringVar(&o.since, "since", "", "only records committed at or after this time (RFC 3339 or YYYY-MM-DD)")
	f.StringVar(&o.until, "until", "", "only records committed before this time (RFC 3339 or YYYY-MM-DD)")
	f.StringVar(&o.outcome, "outcome", "", "only this outcome: done, already-done, failed, skipped")
	f.StringVar(&o.path, "path", "", "only operations naming this path (case-insensitive)")
	f.Uint64Var(&o.batch, "batch", 0, "only this batch")
	f.IntVar(&o.limit, "limit", 0, "at most this many records (0: all)")
	f.BoolVar(&o.oldest, "oldest-first", false, "oldest first")
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

func runHistory(_ context.Context, g *globalOptions, o *historyOptions) error {
	since, err := parseTime("since", o.since)
	if err != nil {
		return err
	}
	until, err := parseTime("until", o.until)
	if err != nil {
		return err
	}
	j, err := g.openJournal(true)
	if err != nil {
		return err
	}
	defer func() { _ = j.Close() }()
	w := bufio.NewWriterSize(g.stdout, 64<<10)
	enc := json.NewEncoder(w)
	if !o.json {
		fmt.Fprintf(w, "%-6s %-20s %-12s %s\n", "RECORD", "COMMITTED", "OUTCOME", "ENTRY")
	}
	n := 0
	err = j.View(func(tx *journal.Tx) error {
		return tx.History(!o.oldest, func(r *journal.Record) (bool, error) {
			if !o.match(r, since, until) {
				return true, nil
			}
			if o.json {
				if err := enc.Encode(r); err != nil {
					return false, err
				}
			} else {
				fmt.Fprintf(w, "%-6d %-20s %-12s %s%s\n", r.ID, r.Committed.Local().Format("2006-01-02 15:04:05"), r.Outcome, r.Raw, historyNote(r))
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

func historyNote(r *journal.Record) string {
	var notes []string
	if r.Interrupted > 0 {
		notes = append(notes, fmt.Sprintf("interrupted %dx", r.Interrupted))
	}
	if r.StillQueued {
		notes = append(notes, "still queued")
	}
	if r.DecidedBy != "" {
		notes = append(notes, fmt.Sprintf("%s by %s", r.Decision, r.DecidedBy))
	}
	if r.Result.Err != "" {
		notes = append(notes, r.Result.Err)
	}
	if len(notes) == 0 {
		return ""
	}
	return "  (" + strings.Join(notes, "; ") + ")"
}

func (o *historyOptions) match(r *journal.Record, since, until time.Time) bool {
	if !since.IsZero() && r.Committed.Before(since) {
		return false
	}
	if !until.IsZero() && !r.Committed.Before(until) {
		return false
	}
	if o.outcome != "" && string(r.Outcome) != o.outcome {
		return false
	}
	if o.batch != 0 && r.Batch != o.batch {
		return false
	}
	if o.path != "" {
		want := strings.ToLower(strings.ReplaceAll(o.path, "/", `\`))
		found := false
		for _, p := range r.Op.Paths() {
			if strings.ToLower(strings.ReplaceAll(p.String(), "/", `\`)) == want {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}
