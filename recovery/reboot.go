package recovery

import (
	"context"
	"slices"
	"strings"

	"github.com/rs/zerolog"

	"smswork/journal"
	"smswork/ops"
)

// confirmReboot takes on an operation that waits for the reboot (a file
// in use handed to Session Manager): Execute, from its intent, confirms
// what Session Manager did at boot (ops/exec's advanceHandoff), and the
// operation is committed done, fails, or still waits, with no second
// audit record then.
func (r *runner) confirmReboot(ctx context.Context, e *journal.Entry, in *ops.Intent, log zerolog.Logger) (stop bool, err error) {
	res := r.cfg.Exec.Execute(ctx, &e.Op, in, func(updated *ops.Intent) error {
		return r.cfg.Journal.Update(func(tx *journal.Tx) error { return tx.UpdateIntent(e, updated) })
	})
	r.fp.Hit("op.before-commit")
	if res.Outcome == ops.RebootPending {
		return r.awaitReboot(e, res, log)
	}
	if res.Outcome == ops.Done || res.Outcome == ops.AlreadyDone {
		log.Info().Strs("replaced", res.Replaced).Msg("confirmed after the reboot")
	}
	return r.commit(ctx, e, res, log)
}

// awaitReboot records that e waits for the reboot (journal.Reboot, an
// audit record the first time) and says whether the queue stops there:
// it does unless ContinuePastReboot, and then later entries that touch
// its paths, and run entries, wait too (mustWaitForReboot).
func (r *runner) awaitReboot(e *journal.Entry, res ops.Result, log zerolog.Logger) (stop bool, err error) {
	var rec *journal.Record
	if err := r.marker.update(func(tx *journal.Tx) (err error) {
		rec, err = tx.AwaitReboot(e, res, r.now())
		return err
	}); err != nil {
		return false, err
	}
	if rec != nil {
		r.committed(e, rec, log)
	}
	log.Warn().Str("entry", e.Raw).Msg("file in use handed to Session Manager: waits for the reboot")
	r.waiting = append(r.waiting, waitingPaths(e)...)
	if b, err := r.batchAtomic(e.Batch); err != nil {
		return false, err
	} else if b != nil {
		// An atomic batch's rollback cannot take back a registration:
		// nothing of it goes past the waiting operation.
		r.waitingAtomic = append(r.waitingAtomic, e.Batch)
	}
	return !r.cfg.ContinuePastReboot, nil
}

// waitingPaths are the paths an operation that waits for the reboot may
// still change: those it names, and its hand-off's targets.
func waitingPaths(e *journal.Entry) []ops.Path {
	ps := e.Op.Paths()
	if e.Intent != nil {
		for _, it := range e.Intent.Items {
			ps = append(ps, it.Src)
			if !it.Dst.IsZero() {
				ps = append(ps, it.Dst)
			}
		}
		if h := e.Intent.Handoff; h != nil {
			for _, hf := range h.Files {
				ps = append(ps, hf.Target)
			}
		}
	}
	return ps
}

// mustWaitForReboot says e may not start before the reboot: an operation
// waits for it in this run, and e is a run entry (it may load the new
// file), touches one of its paths (TouchesAny), or belongs to the same
// atomic batch.
func (r *runner) mustWaitForReboot(e *journal.Entry) bool {
	if len(r.waiting) == 0 {
		return false
	}
	return e.Op.Kind == ops.KindRun || TouchesAny(e.Op.Paths(), r.waiting) || slices.Contains(r.waitingAtomic, e.Batch)
}

// TouchesAny reports whether a path of ps may see or change one of
// waiting: the same path, one inside the other, or a wildcard whose
// folder holds or lies inside one. Names compare case-insensitively, as
// DOS names do. It errs towards yes.
func TouchesAny(ps, waiting []ops.Path) bool {
	for _, p := range ps {
		if p.HasWildcard() {
			p = p.Parent()
		}
		for _, w := range waiting {
			if !strings.EqualFold(p.Drive, w.Drive) {
				continue
			}
			if within(p.Rel, w.Rel) || within(w.Rel, p.Rel) {
				return true
			}
		}
	}
	return false
}

// within reports whether rel is dir or lies below it (case-insensitively).
func within(rel, dir string) bool {
	if dir == "" || strings.EqualFold(rel, dir) {
		return true
	}
	return len(rel) > len(dir) && rel[len(dir)] == '/' && strings.EqualFold(rel[:len(dir)], dir)
}
