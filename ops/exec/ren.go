package exec

import (
	"context"
	"fmt"
	"os"
	"strings"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// renKind is ren OLD NEW: each file OLD names (or the one file or folder
// it names) gets the new name NEW gives it (ops.RenameName) in its own
// folder, by one rename. The names are computed when the intent is made,
// so recovery renames exactly what was planned. Unlike move, ren never
// replaces: a new name already taken is an error, before anything is
// renamed.
type renKind struct{}

func (renKind) prepare(e *Executor, op *ops.Op, _ uint64) (*ops.Intent, error) {
	return e.prepareRen(op)
}

// check refuses an item whose new path is not in its source's folder, or
// whose new name is not a name.
func (renKind) check(_ *ops.Op, in *ops.Intent) error {
	for i, it := range in.Items {
		if err := ops.CheckPath(it.Dst); err != nil {
			return fmt.Errorf("item %d: %w", i, err)
		}
		if it.Src.Rel == "" || it.Dst.Rel == "" || it.Src.Parent() != it.Dst.Parent() {
			return fmt.Errorf("item %d: %w: ren of %s to %s, not in the same folder", i, ErrBadIntent, it.Src, it.Dst)
		}
		if err := ops.CheckName(it.Dst.Base()); err != nil {
			return fmt.Errorf("item %d: %w: %v", i, ErrBadIntent, err)
		}
	}
	return nil
}

func (renKind) execute(_ context.Context, e *Executor, _ *ops.Op, in *ops.Intent, _ func(*ops.Intent) error, res *ops.Result) {
	changed := false
	for _, it := range in.Items {
		fr, did, err := e.renameItem(it, true)
		if err != nil {
			setFailed(res, err)
			return
		}
		res.Files = append(res.Files, fr)
		changed = changed || did
	}
	setDone(res, changed)
}

// effects: each source is renamed to its new name (a folder with all
// below it).
func (renKind) effects(op *ops.Op, in *ops.Intent, r *results) []Effect {
	if in == nil {
		return append([]Effect{{Change: Unknown, Path: op.Src}}, r.fromResult(Unknown, false)...)
	}
	out := make([]Effect, 0, len(in.Items))
	for _, it := range in.Items {
		_, reached := r.file(it.Dst)
		out = append(out, Effect{Change: Moved, Path: it.Src, To: it.Dst, Written: reached})
	}
	return out
}

// prepareRen is the intent of ren: one item per file renamed, from its
// real name to its new one, in the order cmd.exe renames them (by name).
// A wildcard renames files only, as cmd.exe does (one matching only
// folders is an error); a folder is renamed by its own name, never with a
// wildcard in the new name. A name already taken (in any case) by another
// entry of the folder, or given to two files, is an error: nothing is
// renamed. A case-only rename (y.dll to Y.DLL) is one: the entry found by
// case-insensitive lookup is the source itself. A file whose new name is
// its name is left out.
func (e *Executor) prepareRen(op *ops.Op) (*ops.Intent, error) {
	if op.Src.Rel == "" {
		return nil, fmt.Errorf("%w: %s: ren of a drive root", ErrBadPath, op.Src)
	}
	if op.NewName == "" {
		return nil, fmt.Errorf("%w: ren with no new name", ErrBadPath)
	}
	root, err := e.Drives.Root(op.Src.Drive)
	if err != nil {
		return nil, err
	}
	wildNew := strings.ContainsAny(op.NewName, "*?")
	var srcs []ops.Path
	if op.Src.HasWildcard() {
		if srcs, err = e.renSources(root, op.Src); err != nil {
			return nil, err
		}
	} else {
		r, err := e.Drives.Resolve(op.Src)
		if err != nil {
			return nil, err
		}
		if _, isDir, err := statKind(e.Drives, r, false); err != nil {
			return nil, fmt.Errorf("%s: %w", r, err)
		} else if isDir && wildNew {
			return nil, fmt.Errorf("%w: %s is a folder: ren renames a folder to a name without wildcards, not %q", ErrUnsupported, r, op.NewName)
		}
		srcs = []ops.Path{r}
	}
	in := &ops.Intent{}
	freed := map[string]bool{} // lower-case names renamed away so far
	taken := map[string]ops.Path{}
	for _, src := range srcs {
		name := ops.RenameName(op.NewName, src.Base())
		if err := ops.CheckName(name); err != nil {
			return nil, fmt.Errorf("ren %s to %q: %w", src, op.NewName, err)
		}
		if name == src.Base() {
			continue
		}
		dst := src.Parent().Join(name)
		key, srcKey := strings.ToLower(name), strings.ToLower(src.Base())
		if other, dup := taken[key]; dup {
			return nil, fmt.Errorf("%w: ren %s would give %s and %s the same name %s", ErrExists, op.Src, other, src, name)
		}
		if key != srcKey && !freed[key] {
			exists, real, err := e.entryExists(root, dst)
			if err != nil {
				return nil, err
			}
			if exists {
				return nil, fmt.Errorf("%w: ren %s to %s: %s exists (ren never replaces; del it first, or use move)", ErrExists, src, name, real)
			}
		}
		freed[srcKey], taken[key] = true, src
		it := ops.Item{Src: src, Dst: dst}
		if err := e.describeSource(&it, false); err != nil {
			return nil, err
		}
		in.Items = append(in.Items, it)
	}
	return in, nil
}

// renSources is what a wildcard of ren matches: its files, in name order,
// links included (a link is renamed itself). Matching folders only is an
// error, as in cmd.exe; matching nothing is ErrNoMatch.
func (e *Executor) renSources(root *os.Root, p ops.Path) ([]ops.Path, error) {
	dir, pattern := ops.SplitRel(p.Rel)
	rd, err := e.Drives.Resolve(ops.Path{Drive: p.Drive, Rel: dir})
	if err != nil {
		return nil, err
	}
	ms, err := fsroot.ExpandWildcard(root, rd.Rel, pattern)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	var out []ops.Path
	folders := 0
	for _, m := range ms {
		if m.Type.IsDir() {
			folders++
			continue
		}
		out = append(out, ops.Path{Drive: p.Drive, Rel: ops.JoinRel(rd.Rel, m.Name)})
	}
	if len(out) == 0 && folders > 0 {
		return nil, fmt.Errorf("%w: %s matches only folders: ren renames a folder by its own name, without wildcards", ErrUnsupported, p)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: %s", ErrNoMatch, p)
	}
	return out, nil
}

// entryExists reports whether an entry named like p (in any case) is in
// p's folder, and its real path.
func (e *Executor) entryExists(root *os.Root, p ops.Path) (bool, ops.Path, error) {
	r, err := e.Drives.Resolve(p)
	if err != nil {
		return false, p, err
	}
	if _, err := root.Lstat(ops.RootName(r.Rel)); err != nil {
		if fsroot.IsNotExist(err) {
			return false, p, nil
		}
		return false, p, fmt.Errorf("%s: %w", r, err)
	}
	return true, r, nil
}
