package main

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"smswork/journal"
)

// completionLimit bounds the journal values (IDs, batch numbers) one
// completion offers: the newest that match what is typed.
const completionLimit = 100

// completionLockWait is how long a completion waits for a journal that a
// run holds: not at all, in effect (bbolt tries the lock once). It then
// offers nothing rather than hold the shell.
const completionLockWait = time.Millisecond

// registerCompletions teaches the shell completion (smswork completion
// bash|zsh|fish|powershell) the values of flags and arguments: fixed
// choices, held operations for resolve, batch numbers for undo and
// history --batch. Values from the journal are read read-only; when a run
// holds it, or it cannot be read, nothing is offered.
func registerCompletions(root *cobra.Command, g *globalOptions) {
	fixed := func(values ...string) cobra.CompletionFunc {
		return cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp)
	}
	must := func(c *cobra.Command, flag string, fn cobra.CompletionFunc) {
		if err := c.RegisterFlagCompletionFunc(flag, fn); err != nil {
			panic(fmt.Sprintf("completion of %s --%s: %v", c.Name(), flag, err))
		}
	}
	must(root, "log-format", fixed("console", "json"))
	must(root, "backups", dirs)
	for _, c := range root.Commands() {
		switch c.Name() {
		case "run":
			must(c, "interrupted", fixed("rerun", "hold"))
			must(c, "on-error", fixed("stop", "continue"))
			must(c, "on-rollback", fixed("keep", "drop"))
			must(c, "in-use", fixed("reboot", "fail"))
			must(c, "on-reboot", fixed("stop", "continue"))
		case "add":
			must(c, "on-rollback", fixed("keep", "drop"))
		case "resolve":
			c.ValidArgsFunction = func(cc *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
				switch len(args) {
				case 0:
					return g.heldCompletions(cc, toComplete), cobra.ShellCompDirectiveNoFileComp
				case 1:
					return []cobra.Completion{
						cobra.CompletionWithDesc(string(journal.Rerun), "run it again"),
						cobra.CompletionWithDesc(string(journal.Skip), "commit it as skipped, unrun"),
					}, cobra.ShellCompDirectiveNoFileComp
				}
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
		case "undo":
			c.ValidArgsFunction = func(cc *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
				if len(args) > 0 {
					return nil, cobra.ShellCompDirectiveNoFileComp
				}
				return g.batchCompletions(cc, toComplete, undoable), cobra.ShellCompDirectiveNoFileComp
			}
		case "history":
			must(c, "batch", func(cc *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
				return g.batchCompletions(cc, toComplete, func(*journal.Batch) bool { return true }), cobra.ShellCompDirectiveNoFileComp
			})
			must(c, "outcome", fixed(historyOutcomes...))
		}
	}
}

// dirs completes folder names.
func dirs(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
	return nil, cobra.ShellCompDirectiveFilterDirs
}

// undoable says whether smswork undo may take batch b: finished, its
// backups kept, no undo started.
func undoable(b *journal.Batch) bool {
	return b.State == journal.BatchDone && b.Backups == "" && b.Undo == nil
}

// viewForCompletion runs fn on the journal opened read-only, without
// waiting for a run that holds it; any failure means no completions.
func (g *globalOptions) viewForCompletion(c *cobra.Command, fn func(*journal.Tx) error) bool {
	if g.set == nil {
		// __complete runs no PersistentPreRunE: find the journal as
		// every command does (configuration file, flags).
		if err := g.resolveSettings(c); err != nil {
			cobra.CompDebugln(fmt.Sprintf("no completions: %v", err), false)
			return false
		}
	}
	j, err := journal.Open(g.journalPath(), journal.Options{ReadOnly: true, LockTimeout: completionLockWait})
	if err != nil {
		cobra.CompDebugln(fmt.Sprintf("no completions from the journal: %v", err), false)
		return false
	}
	defer func() { _ = j.Close() }()
	if err := j.View(fn); err != nil {
		cobra.CompDebugln(fmt.Sprintf("no completions from the journal: %v", err), false)
		return false
	}
	return true
}

// heldCompletions are the IDs of the held operations that start with
// prefix, each described by its entry.
func (g *globalOptions) heldCompletions(c *cobra.Command, prefix string) []cobra.Completion {
	var out []cobra.Completion
	ok := g.viewForCompletion(c, func(tx *journal.Tx) error {
		return tx.Queue(func(e *journal.Entry) error {
			id := strconv.FormatUint(e.Seq, 10)
			if e.State == journal.Held && strings.HasPrefix(id, prefix) {
				out = append(out, cobra.CompletionWithDesc(id, oneLine(e.Raw)))
			}
			return nil
		})
	})
	if !ok {
		return nil
	}
	return newest(out)
}

// batchCompletions are the numbers of the batches that keep says yes to
// and that start with prefix, each described by its size and time.
func (g *globalOptions) batchCompletions(c *cobra.Command, prefix string, keep func(*journal.Batch) bool) []cobra.Completion {
	var out []cobra.Completion
	ok := g.viewForCompletion(c, func(tx *journal.Tx) error {
		return tx.Batches(func(b *journal.Batch) error {
			id := strconv.FormatUint(b.ID, 10)
			if keep(b) && strings.HasPrefix(id, prefix) {
				desc := fmt.Sprintf("%d entr%s, %s", b.Entries, plural(b.Entries, "y", "ies"), b.Time.Local().Format("2006-01-02 15:04"))
				out = append(out, cobra.CompletionWithDesc(id, desc))
			}
			return nil
		})
	})
	if !ok {
		return nil
	}
	return newest(out)
}

// newest keeps the last completionLimit values of an oldest-first list,
// newest first.
func newest(c []cobra.Completion) []cobra.Completion {
	if len(c) > completionLimit {
		c = c[len(c)-completionLimit:]
	}
	slices.Reverse(c)
	return c
}

// oneLine makes s fit a completion's description: no tabs or line breaks.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < ' ' || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}
