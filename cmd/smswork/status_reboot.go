package main

import (
	"fmt"
	"io"

	"smswork/internal/fsroot"
	"smswork/internal/pendmove"
	"smswork/journal"
	"smswork/ops"
)

// pendingRename is one rename or delete Session Manager performs at the
// next boot, as status shows it: ours (an operation waiting for the
// reboot, Seq) or another installer's.
type pendingRename struct {
	pendmove.Pending
	Ours bool   `json:"ours"`
	Seq  uint64 `json:"seq,omitempty"`
}

// ourPair is a pair an operation waiting for the reboot registered, by
// host paths (dst "" for a delete).
type ourPair struct {
	seq      uint64
	src, dst string
}

// ourPairs returns the pairs the waiting operations es registered, their
// paths mapped onto the host by d.
func ourPairs(es []journal.Entry, d *fsroot.Drives) []ourPair {
	var out []ourPair
	for _, e := range es {
		if e.Intent == nil || e.Intent.Handoff == nil {
			continue
		}
		for _, hf := range e.Intent.Handoff.Files {
			tgt, err := d.HostPath(hf.Target)
			if err != nil {
				continue
			}
			if hf.Stage == "" {
				out = append(out, ourPair{seq: e.Seq, src: tgt})
				continue
			}
			stage, err := d.HostPath(ops.Path{Drive: hf.Target.Drive, Rel: ops.JoinRel(hf.Target.Parent().Rel, hf.Stage)})
			if err == nil {
				out = append(out, ourPair{seq: e.Seq, src: stage, dst: tgt})
			}
		}
	}
	return out
}

// markOurs returns every pending rename, those in ours marked.
func markOurs(pend []pendmove.Pending, ours []ourPair) []pendingRename {
	out := make([]pendingRename, 0, len(pend))
	for _, p := range pend {
		pr := pendingRename{Pending: p}
		for _, o := range ours {
			if pendmove.Find([]pendmove.Pending{p}, o.src, o.dst) == 0 {
				pr.Ours, pr.Seq = true, o.seq
				break
			}
		}
		out = append(out, pr)
	}
	return out
}

// rebootStatus fills rep.PendingRenames from this system's Session
// Manager (read-only; nothing on other systems), ours marked. A value
// that cannot be read is reported, not fatal: status still says the rest.
func (g *globalOptions) rebootStatus(rep *statusReport) {
	pend, err := pendmove.System{}.Pending()
	if err != nil {
		rep.PendingRenamesError = err.Error()
		return
	}
	var ours []ourPair
	if len(rep.Reboot) > 0 {
		if d, err := g.openDrives(); err == nil {
			ours = ourPairs(rep.Reboot, d)
			_ = d.Close()
		}
	}
	rep.PendingRenames = markOurs(pend, ours)
}

// printPendingRenames prints the renames Session Manager will perform,
// as PendMoves shows them.
func printPendingRenames(w io.Writer, rep *statusReport) {
	if rep.PendingRenamesError != "" {
		fmt.Fprintf(w, "renames pending for the next boot: cannot read them: %s\n", rep.PendingRenamesError)
		return
	}
	fmt.Fprintf(w, "renames pending for the next boot (Session Manager, PendingFileRenameOperations): %d\n", len(rep.PendingRenames))
	for _, p := range rep.PendingRenames {
		who := "another program's"
		if p.Ours {
			who = fmt.Sprintf("ours, #%d", p.Seq)
		}
		target := p.Target
		switch {
		case p.Delete:
			target = "DELETE"
		case p.Incomplete:
			target = "(none: the value is cut short; Session Manager ignores it)"
		case p.Replace:
			target += " (replacing it)"
		}
		marker := ""
		if p.Marker != "" {
			marker = " [" + p.Marker + "]"
		}
		fmt.Fprintf(w, "  Source: %s%s\n  Target: %s  (%s)\n", p.Source, marker, target, who)
	}
}
