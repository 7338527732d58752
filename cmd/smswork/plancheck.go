package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"smswork/ops"
	"smswork/ops/exec"
)

// planSim checks each operation of a plan against the files as they are,
// and as the file operations before it in the plan will leave them: what
// they create and what they remove. A program's effects are unknown: after
// one, a missing file is "cannot tell", not a problem.
type planSim struct {
	x *exec.Executor
	// created and removed map a path (simKey) to the entry that creates
	// or removes it; program is the first run operation so far.
	created, removed map[string]int
	program          int
}

// simKey is how paths compare: DOS names case-insensitively.
func simKey(p ops.Path) string { return p.Drive + ":" + strings.ToLower(strings.Trim(p.Rel, "/")) }

// under says whether key a is b or inside it.
func under(a, b string) bool { return a == b || strings.HasPrefix(a, b+"/") }

// createdBy returns the entry before that creates p or something inside
// it (which makes p a folder that exists), or 0.
func (s *planSim) createdBy(p ops.Path) int {
	k := simKey(p)
	for c, n := range s.created {
		if under(c, k) && !s.removedAfter(c, n) {
			return n
		}
	}
	return 0
}

// removedBy returns the entry before that removes p (or a folder holding
// it) after anything created it, or 0.
func (s *planSim) removedBy(p ops.Path) int {
	k := simKey(p)
	for r, n := range s.removed {
		if under(k, r) && s.created[k] < n {
			return n
		}
	}
	return 0
}

func (s *planSim) removedAfter(k string, created int) bool {
	for r, n := range s.removed {
		if under(k, r) && n > created {
			return true
		}
	}
	return false
}

// check sets e's problem, note and intent, then records its effects.
func (s *planSim) check(e *planEntry) {
	defer s.record(e)
	if e.Decision() == "skip" {
		return
	}
	if l := unmappedDrive(s.x.Drives, &e.Op); l != "" {
		e.Problem, e.input = unmappedMsg(l), true
		return
	}
	if e.Op.Kind == ops.KindRun {
		if why := s.programMissing(e.Op.Argv); why != "" {
			e.Problem = why
		}
		return
	}
	in, err := s.x.Prepare(&e.Op, e.Seq)
	if err != nil {
		e.Problem = s.unlessMade(e, err, e.Op.Paths()...)
		return
	}
	e.Intent = in
	for _, it := range in.Items {
		if n := s.removedBy(it.Src); n != 0 && e.Op.Kind != ops.KindMD {
			e.Problem = fmt.Sprintf("%s: entry %d before it removes it", it.Src, n)
			return
		}
		switch e.Op.Kind {
		case ops.KindCopy:
			if !it.SrcExists && !e.Op.Touch {
				e.Problem = s.unlessMade(e, fmt.Errorf("%s: %w", it.Src, fs.ErrNotExist), it.Src)
				if e.Problem != "" {
					e.Problem = "the source does not exist: " + e.Problem
				}
				return
			}
		case ops.KindMove:
			if !it.SrcExists && !it.DstExisted {
				e.Problem = s.unlessMade(e, fmt.Errorf("%s: %w", it.Src, fs.ErrNotExist), it.Src)
				if e.Problem != "" {
					e.Problem = "the source does not exist: " + e.Problem
				}
				return
			}
		}
		if e.Op.Kind == ops.KindCopy || e.Op.Kind == ops.KindMove {
			if why := s.folderMissing(it.Dst); why != "" {
				e.Problem = why
				return
			}
		}
	}
}

// unlessMade is err's text, unless what is missing is made by an entry
// before, or a program runs before (which may make it): then "", and a
// note on e says so.
func (s *planSim) unlessMade(e *planEntry, err error, paths ...ops.Path) string {
	// A destination written as a folder (ending in a backslash) that is
	// not there yet is missing too: an entry before may make it.
	missing := errors.Is(err, fs.ErrNotExist) || errors.Is(err, exec.ErrNoMatch) ||
		e.Op.DstDir && errors.Is(err, exec.ErrDstNotFolder)
	if !missing {
		return err.Error()
	}
	for _, p := range paths {
		if n := s.createdBy(p); n != 0 {
			e.setNote(fmt.Sprintf("needs %s, which entry %d makes", p, n))
			return ""
		}
		if n := s.createdBy(parent(p)); n != 0 {
			e.setNote(fmt.Sprintf("needs the folder of %s, which entry %d makes", p, n))
			return ""
		}
	}
	if s.program != 0 {
		e.setNote(fmt.Sprintf("cannot tell now (%v): entry %d, a program, runs before it and may make it", err, s.program))
		return ""
	}
	return err.Error()
}

// setNote adds note to e's note.
func (e *planEntry) setNote(note string) {
	if e.Note != "" {
		e.Note += "; "
	}
	e.Note += note
}

// folderMissing says why the folder that would hold dst is not there, or "".
func (s *planSim) folderMissing(dst ops.Path) string {
	dir := parent(dst)
	if dir.Rel == "" {
		return ""
	}
	if s.createdBy(dir) != 0 || s.program != 0 {
		return ""
	}
	rp, err := s.x.Drives.Resolve(dir)
	if err != nil {
		return ""
	}
	root, err := s.x.Drives.Root(rp.Drive)
	if err != nil {
		return ""
	}
	fi, err := root.Stat(filepath.FromSlash(rp.Rel))
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Sprintf("the folder %s, where %s would be written, does not exist", dir, dst)
	case err == nil && !fi.IsDir():
		return fmt.Sprintf("%s, where %s would be written, is a file, not a folder", dir, dst)
	}
	return ""
}

// programMissing says why the program of argv cannot be found, or "".
func (s *planSim) programMissing(argv []string) string {
	if len(argv) == 0 || s.program != 0 {
		return ""
	}
	a := argv[0]
	var host string
	switch {
	case len(a) >= 3 && a[1] == ':' && (a[2] == '\\' || a[2] == '/'):
		p := ops.Path{Drive: strings.ToUpper(a[:1]), Rel: strings.Trim(strings.ReplaceAll(a[2:], `\`, "/"), "/")}
		if s.createdBy(p) != 0 {
			return ""
		}
		h, err := s.x.Drives.HostPath(p)
		if err != nil {
			return ""
		}
		host = h
	case filepath.IsAbs(a):
		host = a
	case strings.ContainsAny(a, `/\`) || runtime.GOOS == "windows":
		return "" // run says; Windows' PATHEXT rules are not ours to guess
	default:
		for _, kv := range exec.MinimalEnv() {
			if dirs, ok := strings.CutPrefix(kv, "PATH="); ok {
				for _, d := range filepath.SplitList(dirs) {
					if fi, err := os.Stat(filepath.Join(d, a)); err == nil && fi.Mode().IsRegular() {
						return ""
					}
				}
				return fmt.Sprintf("program %s is not in the PATH run gives programs (%s)", ops.Show(a), dirs)
			}
		}
		return ""
	}
	if _, err := os.Stat(host); errors.Is(err, fs.ErrNotExist) {
		return fmt.Sprintf("program %s (%s) does not exist", ops.Show(a), host)
	}
	return ""
}

// record notes what e creates and removes, for the entries after it.
func (s *planSim) record(e *planEntry) {
	if e.Decision() == "skip" {
		return
	}
	switch e.Op.Kind {
	case ops.KindRun:
		if s.program == 0 {
			s.program = e.N
		}
	case ops.KindMD:
		s.created[simKey(e.Op.Src)] = e.N
	case ops.KindCopy, ops.KindMove:
		if e.Intent != nil {
			for _, it := range e.Intent.Items {
				s.created[simKey(it.Dst)] = e.N
				if e.Op.Kind == ops.KindMove {
					s.removed[simKey(it.Src)] = e.N
				}
			}
		} else if !e.Op.Dst.IsZero() {
			s.created[simKey(e.Op.Dst)] = e.N
		}
	case ops.KindDel:
		if e.Intent != nil {
			for _, it := range e.Intent.Items {
				s.removed[simKey(it.Src)] = e.N
			}
		}
	case ops.KindRD:
		s.removed[simKey(e.Op.Src)] = e.N
	}
}

// parent is the folder that holds p.
func parent(p ops.Path) ops.Path {
	rel := strings.Trim(p.Rel, "/")
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		return ops.Path{Drive: p.Drive, Rel: rel[:i]}
	}
	return ops.Path{Drive: p.Drive}
}
