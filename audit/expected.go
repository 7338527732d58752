package audit

import (
	"sort"
	"strings"

	"smswork/journal"
	"smswork/ops"
	"smswork/ops/exec"
)

// ExpectedFile is a file the audit history says should be in place with
// the content an operation wrote.
type ExpectedFile struct {
	// Path is where the file should be; it differs from the written path
	// when a later move carried the file (or its folder) there.
	Path ops.Path
	// SHA256 and Size are what the operation wrote.
	SHA256 string
	Size   int64
	// Record is the record of the newest operation that wrote the file:
	// its ID, batch, position and entry.
	Record uint64
	Batch  uint64
	Pos    int
	Raw    string
	// RunAfter is the newest run operation committed after that write, or
	// 0: a program may legitimately have changed the file.
	RunAfter uint64
}

// ExpectedFiles walks the history oldest first and returns, sorted by
// path, every file that the newest write to its path says must hold a
// known SHA-256: a copy's (or a cross-device move's) destination, carried
// along by later moves, and forgotten when a later del, rd or move removed
// it, or when a later operation replaced it with content of unknown hash.
// Where the history cannot tell, the file is left out: a file listed here
// that is missing or different is drift.
func ExpectedFiles(t *journal.Tx) ([]ExpectedFile, error) {
	s := &fileSet{files: map[string]*ExpectedFile{}, dirs: map[string]int{}}
	var lastRun uint64
	err := t.History(false, func(r *journal.Record) (bool, error) {
		if r.IsCheckpoint() {
			return true, nil
		}
		if r.Outcome == ops.Lost {
			// Lost records may have changed any file: nothing known
			// before them is vouched for.
			s = &fileSet{files: map[string]*ExpectedFile{}, dirs: map[string]int{}}
			return true, nil
		}
		if s.apply(r) {
			lastRun = r.ID
		}
		return true, nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]ExpectedFile, 0, len(s.files))
	for _, f := range s.files {
		if lastRun > f.Record {
			f.RunAfter = lastRun
		}
		out = append(out, *f)
	}
	sort.Slice(out, func(a, b int) bool { return pathKey(out[a].Path) < pathKey(out[b].Path) })
	return out, nil
}

// pathKey is p as DOS compares it: drive and case-insensitive path.
func pathKey(p ops.Path) string { return p.Key() }

// fileSet is the expected files by pathKey, with a count of the files
// below each folder so that a folder's rd or move only scans when it
// holds some.
type fileSet struct {
	files map[string]*ExpectedFile
	dirs  map[string]int
}

func (s *fileSet) set(f *ExpectedFile) {
	k := pathKey(f.Path)
	if _, ok := s.files[k]; !ok {
		s.countDirs(k, 1)
	}
	s.files[k] = f
}

func (s *fileSet) remove(k string) *ExpectedFile {
	f, ok := s.files[k]
	if ok {
		delete(s.files, k)
		s.countDirs(k, -1)
	}
	return f
}

func (s *fileSet) countDirs(k string, d int) {
	for i := strings.LastIndexByte(k, '/'); i >= 0; i = strings.LastIndexByte(k[:i], '/') {
		s.dirs[k[:i]] += d
	}
	if i := strings.IndexByte(k, ':'); i >= 0 && len(k) > i+1 {
		s.dirs[k[:i+1]] += d // the drive root
	}
}

// below returns the keys of the files under folder key k.
func (s *fileSet) below(k string) []string {
	if s.dirs[k] <= 0 {
		return nil
	}
	prefix := k + "/"
	if strings.HasSuffix(k, ":") {
		prefix = k
	}
	var ks []string
	for fk := range s.files {
		if strings.HasPrefix(fk, prefix) && fk != k {
			ks = append(ks, fk)
		}
	}
	return ks
}

// removeTree forgets p and everything below it.
func (s *fileSet) removeTree(p ops.Path) {
	k := pathKey(p)
	s.remove(k)
	for _, fk := range s.below(k) {
		s.remove(fk)
	}
}

// moveTree carries what is known of src, and of everything below it, to
// dst; what dst held is replaced.
func (s *fileSet) moveTree(src, dst ops.Path) {
	sk, dk := pathKey(src), pathKey(dst)
	if sk == dk {
		return
	}
	moved := map[string]*ExpectedFile{}
	if f := s.remove(sk); f != nil {
		moved[dk] = f
	}
	for _, fk := range s.below(sk) {
		f := s.remove(fk)
		if len(f.Path.Rel) < len(src.Rel) {
			continue // a name whose case changes its length: forget it
		}
		rel := dst.Rel + f.Path.Rel[len(src.Rel):]
		if src.Rel == "" {
			rel = strings.TrimPrefix(dst.Rel+"/"+f.Path.Rel, "/")
		}
		moved[pathKey(ops.Path{Drive: dst.Drive, Rel: rel})] = f
		f.Path = ops.Path{Drive: dst.Drive, Rel: rel}
	}
	s.removeTree(dst)
	for _, f := range moved {
		if pathKey(f.Path) == sk {
			f.Path = dst
		}
		s.set(f)
	}
}

// apply takes in what record r did to files, from its operation's
// effects, and reports whether it ran a program (which may have changed
// any file).
func (s *fileSet) apply(r *journal.Record) (ranProgram bool) {
	written := func(path ops.Path, sha string, size int64) {
		if sha == "" {
			s.removeTree(path)
			return
		}
		s.set(&ExpectedFile{Path: path, SHA256: sha, Size: size, Record: r.ID, Batch: r.Batch, Pos: r.Pos, Raw: r.Raw})
	}
	switch r.Outcome {
	case ops.Undone:
		// What an undo put back: a file's known content, or a path gone
		// (or a folder or link, whose contents it does not vouch for).
		for _, fr := range r.Result.Files {
			written(fr.Path, fr.SHA256, fr.Size)
		}
		return false
	case ops.Dropped:
		return false
	}
	ok := r.Outcome == ops.Done || r.Outcome == ops.AlreadyDone
	for _, ef := range exec.Effects(&r.Op, r.Intent, &r.Result) {
		switch ef.Change {
		case exec.Replaced:
			if ef.Written {
				written(ef.Path, ef.SHA256, ef.Size)
			}
		case exec.Removed, exec.RemovedDir:
			if ef.Written {
				s.removeTree(ef.Path)
			}
		case exec.Moved:
			if ef.Written || ok {
				s.moveTree(ef.Path, ef.To)
			} else {
				// A rename that failed part way: either place may hold it.
				s.removeTree(ef.Path)
				s.removeTree(ef.To)
			}
		case exec.Unknown:
			if ef.Path.IsZero() {
				ranProgram = true
			} else {
				s.removeTree(ef.Path)
			}
		}
	}
	return ranProgram
}
