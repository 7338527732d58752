package main

import (
	"fmt"
	"strings"

	"smswork/internal/fsroot"
	"smswork/journal"
	"smswork/ops"
)

// folderProblem says why the folder a copy or move destination names (it
// ends in a backslash: ops.Op.DstDir) cannot exist when entry i runs,
// judged from the files as they are now: a file stands where it or one of
// its parents would be. It says nothing when an earlier entry names that
// path or a parent of it (md may make it, del remove the file), or runs a
// program (which may do anything): run decides then. note is set instead
// when the folder is merely missing now: run fails unless something makes
// it first.
func folderProblem(d *fsroot.Drives, parsed []journal.NewEntry, i int) (problem, note string) {
	op := &parsed[i].Op
	if !op.DstDir || op.Kind != ops.KindCopy && op.Kind != ops.KindMove {
		return "", ""
	}
	for _, e := range parsed[:i] {
		if e.Op.Kind == ops.KindRun {
			return "", ""
		}
		for _, p := range mayChange(&e.Op) {
			if within(op.Dst, p) {
				return "", ""
			}
		}
	}
	root, err := d.Root(op.Dst.Drive)
	if err != nil {
		return "", ""
	}
	r, err := d.Resolve(op.Dst)
	if err != nil {
		return "", ""
	}
	elems := strings.Split(r.Rel, "/")
	for k := range elems {
		p := ops.Path{Drive: r.Drive, Rel: strings.Join(elems[:k+1], "/")}
		fi, err := root.Stat(ops.RootName(p.Rel))
		switch {
		case err != nil && fsroot.IsNotExist(err):
			return "", fmt.Sprintf("the folder %s\\ does not exist now: the entry fails unless something makes it first", op.Dst)
		case err != nil:
			return "", ""
		case !fi.IsDir():
			return fmt.Sprintf("%s\\ names a folder, but %s is a file: the entry can only fail", op.Dst, p), ""
		}
	}
	return "", ""
}

// mayChange lists the paths op may create, replace or remove, or folders
// any entry of which it may rename (a wildcard's folder).
func mayChange(op *ops.Op) []ops.Path {
	switch {
	case op.Kind == ops.KindCopy && op.Touch:
		return nil
	case op.Kind == ops.KindCopy:
		return []ops.Path{op.Dst}
	case op.Kind == ops.KindMove:
		return []ops.Path{op.Src, op.Dst}
	case op.Kind == ops.KindRen:
		// Any entry of the folder may be renamed away or to.
		return []ops.Path{op.Src.Parent()}
	}
	return []ops.Path{op.Src}
}

// within reports whether p is dir or lies below it, DOS-wise (case
// ignored).
func within(p, dir ops.Path) bool {
	if p.Drive != dir.Drive {
		return false
	}
	return dir.Rel == "" || p.Key() == dir.Key() || strings.HasPrefix(p.Key(), dir.Key()+"/")
}
