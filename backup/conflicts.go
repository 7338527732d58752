package backup

import (
	"fmt"
	"os"
	"strings"

	"smswork/internal/fsroot"
	"smswork/ops"
	"smswork/ops/exec"
)

// Conflicts lists the paths of in.Backups whose present state is not what
// op (which committed res) left there: undoing it would overwrite a later
// change. Each is one human-readable line naming the path. What op left
// is, by path:
//
//   - a file res.Files records with a SHA-256: a regular file with that
//     content;
//   - a source of del or move, anything rd removed: absent;
//   - the destination of a move on one file system: what its source was
//     (a file of the same size and time, a link to the same target, a
//     folder);
//   - a touched file: a file of the same size;
//   - any other destination of copy or move: present; a folder md made:
//     a folder.
//
// When res says op did not finish (Failed, Held), a path may also be in
// its prior state; when it says op did not run (Skipped), it must be.
// Undoing a batch, the caller checks each operation after undoing the
// later ones: a path two operations of the batch change is otherwise
// reported for the earlier one.
func (s *Store) Conflicts(op *ops.Op, in *ops.Intent, res *ops.Result) ([]string, error) {
	if op == nil || in == nil || res == nil {
		return nil, fmt.Errorf("%w: missing operation, intent or result", ErrBadRecord)
	}
	sums := map[ops.Path]string{}
	for _, fr := range res.Files {
		if fr.SHA256 != "" {
			sums[fr.Path] = fr.SHA256
		}
	}
	var out []string
	for _, b := range in.Backups {
		if err := checkPath(b.Path); err != nil {
			return nil, err
		}
		now, err := s.state(b.Path)
		if err != nil {
			return nil, err
		}
		after := leftBy(op, in, res, b, sums)
		before := priorState(b)
		var ok bool
		switch res.Outcome {
		case ops.Done, ops.AlreadyDone:
			ok = after.matches(now)
		case ops.Skipped:
			ok = before.matches(now)
		default:
			ok = after.matches(now) || before.matches(now)
		}
		if !ok {
			want := after
			if res.Outcome == ops.Skipped {
				want = before
			}
			out = append(out, fmt.Sprintf("%s: now %s; the operation left %s", b.Path, now, want))
		}
	}
	return out, nil
}

// kind is the type of what a path holds.
type kind int

const (
	kAny    kind = iota // present, of any type (a want only)
	kAbsent             // nothing
	kFile               // a regular file
	kLink               // a symbolic link
	kDir                // a folder
	kOther              // a device, a pipe...
)

// state is what a path holds now, or what it must hold; the fields other
// than kind that are set in a want must match.
type state struct {
	kind    kind
	sha     string // kFile: content (set in a want, computed on demand)
	size    int64  // kFile, when hasSize
	modTime int64  // kFile, UnixNano, when hasTime
	hasSize bool
	hasTime bool
	link    string // kLink
	// hash computes the SHA-256 of the file now (a state of now only).
	hash func() (string, error)
}

// state returns what p holds now.
func (s *Store) state(p ops.Path) (state, error) {
	root, err := s.d.Root(p.Drive)
	if err != nil {
		return state{}, err
	}
	rel := ops.RootName(p.Rel)
	fi, err := root.Lstat(rel)
	switch {
	case fsroot.IsNotExist(err):
		return state{kind: kAbsent}, nil
	case err != nil:
		return state{}, fmt.Errorf("%s: %w", p, err)
	case fi.Mode().IsRegular():
		return state{kind: kFile, size: fi.Size(), modTime: fi.ModTime().UnixNano(), hasSize: true, hasTime: true,
			hash: func() (string, error) {
				sum, _, err := fsroot.HashFile(root, rel, nil)
				if err != nil {
					return "", fmt.Errorf("%s: %w", p, err)
				}
				return sum, nil
			}}, nil
	case fi.Mode()&os.ModeSymlink != 0:
		target, err := root.Readlink(rel)
		if err != nil {
			return state{}, fmt.Errorf("%s: %w", p, err)
		}
		return state{kind: kLink, link: target}, nil
	case fi.IsDir():
		return state{kind: kDir}, nil
	}
	return state{kind: kOther}, nil
}

// matches reports whether now, a present state, is what want describes.
// A content check that cannot read the file does not match.
func (want state) matches(now state) bool {
	switch {
	case want.kind == kAny:
		return now.kind != kAbsent
	case want.kind != now.kind:
		return false
	case want.kind == kLink:
		return want.link == now.link
	case want.kind != kFile:
		return true
	case want.hasSize && want.size != now.size, want.hasTime && want.modTime != now.modTime:
		return false
	case want.sha != "":
		sum, err := now.hash()
		return err == nil && sum == want.sha
	}
	return true
}

// String describes the state for a conflict line.
func (st state) String() string {
	switch st.kind {
	case kAbsent:
		return "absent"
	case kFile:
		switch {
		case st.sha != "":
			return "a file with SHA-256 " + st.sha
		case st.hasTime && st.hash == nil:
			return fmt.Sprintf("a file of %d bytes modified at the recorded time", st.size)
		case st.hasSize:
			return fmt.Sprintf("a file of %d bytes", st.size)
		}
		return "a file"
	case kLink:
		return "a link to " + st.link
	case kDir:
		return "a folder"
	case kOther:
		return "neither a file, a folder nor a link"
	}
	return "present"
}

// priorState is what b records: the path before the operation.
func priorState(b ops.Backup) state {
	switch b.Prior {
	case ops.PriorAbsent:
		return state{kind: kAbsent}
	case ops.PriorFile, ops.PriorTime:
		return state{kind: kFile, size: b.Size, modTime: b.ModTime.UnixNano(), hasSize: true, hasTime: true}
	case ops.PriorLink:
		return state{kind: kLink, link: b.Link}
	case ops.PriorDir:
		return state{kind: kDir}
	}
	return state{kind: kAny}
}

// leftBy is what op leaves at b.Path, from the operation's effects: a
// path it removed (or renamed away) is absent; a file it wrote holds what
// the result recorded (any file when it recorded no hash); a rename's
// destination holds what the source held; a folder it made (and each
// parent it made) is a folder; a touched file keeps its size.
func leftBy(op *ops.Op, in *ops.Intent, res *ops.Result, b ops.Backup, sums map[ops.Path]string) state {
	if sum, ok := sums[b.Path]; ok {
		return state{kind: kFile, sha: sum}
	}
	effects := exec.Effects(op, in, res)
	for _, ef := range effects {
		switch {
		case ef.Change == exec.Removed && ef.Path == b.Path,
			ef.Change == exec.RemovedDir && (ef.Path == b.Path || ef.Tree && within(b.Path, ef.Path)),
			ef.Change == exec.Moved && ef.Path == b.Path:
			return state{kind: kAbsent}
		}
	}
	for _, ef := range effects {
		switch {
		case ef.Change == exec.Replaced && ef.Path == b.Path:
			return state{kind: kFile} // a file written without a hash recorded
		case ef.Change == exec.Moved && ef.To == b.Path:
			return movedFrom(in, ef.Path)
		case ef.Change == exec.MadeDir && (ef.Path == b.Path || within(ef.Path, b.Path)):
			return state{kind: kDir}
		case ef.Change == exec.Touched && ef.Path == b.Path:
			// A touch changes the time only.
			return state{kind: kFile, size: b.Size, hasSize: true}
		}
	}
	return state{kind: kAny}
}

// within reports whether p lies below folder dir (on the same drive).
func within(p, dir ops.Path) bool {
	return p.Drive == dir.Drive && (dir.Rel == "" && p.Rel != "" || strings.HasPrefix(p.Rel, dir.Rel+"/"))
}

// movedFrom is what a move on one file system leaves at the destination
// of the source src: the source as its backup records it.
func movedFrom(in *ops.Intent, src ops.Path) state {
	for _, b := range in.Backups {
		if b.Path == src {
			return priorState(b)
		}
	}
	return state{kind: kAny}
}
