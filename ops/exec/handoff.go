package exec

import (
	"errors"
	"fmt"
	"os"

	"smswork/internal/fsroot"
	"smswork/internal/pendmove"
	"smswork/ops"
)

// SessionManager is Windows' Session Manager as the hand-off of files in
// use needs it: pendmove.System on Windows; tests script a stand-in.
type SessionManager interface {
	// Register asks for host file src to be renamed over dst at the next
	// boot, replacing it; dst "" deletes src.
	Register(src, dst string) error
	// Pending lists the renames and deletes registered for the next boot.
	Pending() ([]pendmove.Pending, error)
}

var _ SessionManager = pendmove.System{}

// How the files handed to Session Manager were changed, for the audit.
const (
	HowReplacedAtBoot = "replaced at boot by Session Manager"
	HowDeletedAtBoot  = "deleted at boot by Session Manager"
	HowReplacedLater  = "replaced by smswork once no longer in use"
	HowDeletedLater   = "deleted by smswork once no longer in use"
)

// ErrHandoff: a file handed to Session Manager was not changed at boot
// after it was registered twice; its staged file is kept.
var ErrHandoff = errors.New("the file was not replaced at boot by Session Manager")

// handoffState is where one handed-off file is.
type handoffState int

const (
	handoffWaiting handoffState = iota // registered, waiting for the boot
	handoffDone                        // replaced or deleted
)

// heldErr is the error of a change to p that the test hook says is held
// open by another program (nil in production).
func (e *Executor) heldErr(p ops.Path) error {
	if e.HeldOpen != nil && e.HeldOpen(p) {
		return fmt.Errorf("%s: %w", p, fsroot.ErrInUse)
	}
	return nil
}

// handoffFile returns the hand-off of target in in, or nil.
func handoffFile(in *ops.Intent, target ops.Path) *ops.HandoffFile {
	if in.Handoff == nil {
		return nil
	}
	for i := range in.Handoff.Files {
		if in.Handoff.Files[i].Target == target {
			return &in.Handoff.Files[i]
		}
	}
	return nil
}

// startHandoff records in the intent, durably (step), that target is in
// use and is handed to Session Manager, its new bytes in stage ("" for a
// delete) with hash sum and size n; then it goes on as advanceHandoff.
func (e *Executor) startHandoff(in *ops.Intent, target ops.Path, stage, sum string, n int64, step func(*ops.Intent) error) (handoffState, *ops.HandoffFile, error) {
	if in.Handoff == nil {
		in.Handoff = &ops.Handoff{}
	}
	in.Handoff.Files = append(in.Handoff.Files, ops.HandoffFile{Target: target, Stage: stage, SHA256: sum, Size: n})
	hf := &in.Handoff.Files[len(in.Handoff.Files)-1]
	if err := journalStep(in, step); err != nil {
		return 0, hf, err
	}
	e.failpoint("handoff.after-stage")
	st, err := e.advanceHandoff(in, hf, step)
	return st, hf, err
}

// journalStep makes in durable in the journal.
func journalStep(in *ops.Intent, step func(*ops.Intent) error) error {
	if step == nil {
		return nil
	}
	if err := step(in); err != nil {
		return fmt.Errorf("record the hand-off to Session Manager: %w", err)
	}
	return nil
}

// advanceHandoff takes one file handed to Session Manager as far as it
// can go, from what the intent recorded and what is there now; a crash at
// any point of it (or of startHandoff) is finished by calling it again:
//
//   - its pair is listed in PendingFileRenameOperations: it waits for the
//     boot (the registration is journaled if a crash came before that),
//     and is never registered twice;
//   - the pair is gone and the stage too (a delete: the target is gone):
//     Session Manager did it at boot, if the target has the staged hash;
//     otherwise the operation fails;
//   - the stage is still there (a delete: the target): the file is
//     changed now if it is no longer in use; if it still is, the pair is
//     registered (again, once, when it went missing: cleared by hand, or
//     Session Manager failed), the registration journaled; a pair missing
//     after two registrations fails the operation, the stage kept.
func (e *Executor) advanceHandoff(in *ops.Intent, hf *ops.HandoffFile, step func(*ops.Intent) error) (handoffState, error) {
	if hf.Done {
		return handoffDone, nil
	}
	if hf.Stage != "" && hf.SHA256 == "" {
		return 0, fmt.Errorf("%w: hand-off of %s without the staged bytes' hash", ErrBadIntent, hf.Target)
	}
	if e.Reboot == nil {
		return 0, fmt.Errorf("%s was handed to Session Manager, which this run does not use (--in-use=fail): run with --in-use=reboot", hf.Target)
	}
	root, err := e.Drives.Root(hf.Target.Drive)
	if err != nil {
		return 0, err
	}
	tgtHost, err := e.Drives.HostPath(hf.Target)
	if err != nil {
		return 0, err
	}
	stage := ops.Path{Drive: hf.Target.Drive, Rel: ops.JoinRel(hf.Target.Parent().Rel, hf.Stage)}
	src, dst := tgtHost, ""
	if hf.Stage != "" {
		if src, err = e.Drives.HostPath(stage); err != nil {
			return 0, err
		}
		dst = tgtHost
	}
	pend, err := e.Reboot.Pending()
	if err != nil {
		return 0, err
	}
	if pendmove.Find(pend, src, dst) >= 0 {
		if hf.Registered == 0 {
			hf.Registered = 1
			if err := journalStep(in, step); err != nil {
				return 0, err
			}
		}
		return handoffWaiting, nil
	}
	// The pair is not listed: never registered, done at boot, or lost.
	present := stage
	if hf.Stage == "" {
		present = hf.Target
	}
	if _, err := root.Lstat(ops.RootName(present.Rel)); err != nil {
		if !fsroot.IsNotExist(err) {
			return 0, fmt.Errorf("%s: %w", present, err)
		}
		return e.confirmBoot(root, hf)
	}
	// Still there: change it now if the file is free.
	err = e.heldErr(hf.Target)
	if err == nil {
		if hf.Stage == "" {
			err = root.Remove(ops.RootName(hf.Target.Rel))
			if err != nil {
				err = fsroot.RenameInUse(root, hf.Target.Rel, err)
			}
		} else if err = root.Rename(ops.RootName(stage.Rel), ops.RootName(hf.Target.Rel)); err != nil {
			err = fsroot.RenameInUse(root, hf.Target.Rel, err)
		}
	}
	if err == nil {
		if err := e.Drives.SyncFolder(hf.Target.Parent()); err != nil {
			return 0, err
		}
		hf.Done, hf.How = true, HowReplacedLater
		if hf.Stage == "" {
			hf.How = HowDeletedLater
		}
		return handoffDone, nil
	}
	if !fsroot.IsInUse(err) {
		return 0, fmt.Errorf("change %s handed to Session Manager: %w", hf.Target, err)
	}
	if hf.Registered >= 2 {
		kept := ""
		if hf.Stage != "" {
			kept = fmt.Sprintf("; the new bytes are kept in %s", stage)
		}
		return 0, fmt.Errorf("%w: %s is still in use and its pair is gone from PendingFileRenameOperations after %d registrations (cleared by someone, or Session Manager failed at boot)%s",
			ErrHandoff, hf.Target, hf.Registered, kept)
	}
	e.failpoint("handoff.before-register")
	if err := e.Reboot.Register(src, dst); err != nil {
		return 0, err
	}
	e.failpoint("handoff.after-register")
	hf.Registered++
	if err := journalStep(in, step); err != nil {
		return 0, err
	}
	e.failpoint("handoff.after-record")
	return handoffWaiting, nil
}

// confirmBoot decides a hand-off whose pair is gone and whose stage (or,
// for a delete, target) is gone too: Session Manager performed it at
// boot when the target now holds the staged bytes (or is gone).
func (e *Executor) confirmBoot(root *os.Root, hf *ops.HandoffFile) (handoffState, error) {
	if hf.Stage == "" {
		hf.Done, hf.How = true, HowDeletedAtBoot
		return handoffDone, nil
	}
	sum, n, err := fsroot.HashFile(root, hf.Target.Rel, make([]byte, copyBufSize))
	if err != nil && !fsroot.IsNotExist(err) {
		return 0, fmt.Errorf("read %s: %w", hf.Target, err)
	}
	if err != nil || sum != hf.SHA256 || n != hf.Size {
		return 0, fmt.Errorf("%w: its staged file %s is gone but %s does not hold the new bytes (SHA-256 %s)",
			ErrHandoff, hf.Stage, hf.Target, hf.SHA256)
	}
	if err := e.Drives.SyncFolder(hf.Target.Parent()); err != nil {
		return 0, err
	}
	hf.Done, hf.How = true, HowReplacedAtBoot
	return handoffDone, nil
}

// handoffResult records in res a file handed to Session Manager: once
// done, what it holds and how it got there.
func handoffResult(res *ops.Result, hf *ops.HandoffFile) {
	if !hf.Done {
		return
	}
	res.Replaced = append(res.Replaced, hf.Target.String()+": "+hf.How)
	if hf.Stage == "" {
		res.Files = append(res.Files, ops.FileResult{Path: hf.Target, Size: hf.Size})
		return
	}
	res.Files = append(res.Files, ops.FileResult{Path: hf.Target, Size: hf.Size, SHA256: hf.SHA256, SrcSHA256: hf.SHA256})
}

// isStage reports whether name, in p's folder, is the stage of a file
// handed to Session Manager: a leftover temporary file not to remove.
func isStage(in *ops.Intent, p ops.Path) bool {
	if in.Handoff == nil {
		return false
	}
	for _, hf := range in.Handoff.Files {
		if hf.Stage != "" && hf.Target.Drive == p.Drive && ops.JoinRel(hf.Target.Parent().Rel, hf.Stage) == p.Rel {
			return true
		}
	}
	return false
}
