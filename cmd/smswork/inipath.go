package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"smswork/internal/config"
	"smswork/internal/fsroot"
	"smswork/journal"
	"smswork/smsini"
)

// What a missing SMS.INI means (README, "Using it"):
//
//   - its folder missing is a wrong path (exit 2), except the default
//     state folder, which run creates (mode 0700) when its parent exists
//     (a first boot without systemd's StateDirectory=), and which the other
//     commands take for nothing queued;
//   - the file missing while the journal holds nothing is a machine with
//     nothing queued (exit 0, "no SMS.INI at PATH; nothing queued"),
//     unless the path was given with --ini: then it is a wrong path
//     (exit 2) and nothing is created there;
//   - the file missing while the journal holds operations is SMS.INI
//     lost: run writes it again from the journal, which wins.
//
// An SMS.INI that is a folder is bad input (exit 2).

// iniState is what a command found at SMS.INI's path.
type iniState struct {
	path    string
	missing bool
	// explicit says the path was given on the command line (--ini).
	explicit bool
}

// statIni looks at SMS.INI's path; createStateDir lets run create the
// default state folder.
func (g *globalOptions) statIni(createStateDir bool) (*iniState, error) {
	s := &iniState{path: g.iniPath(), explicit: g.set.SourceOf("ini").Kind == config.FromFlag}
	fi, err := os.Stat(s.path)
	switch {
	case err == nil && !fi.Mode().IsRegular():
		return nil, fmt.Errorf("SMS.INI %s (%s): %w", s.path, g.set.SourceOf("ini"), smsini.ErrNotAFile)
	case err == nil:
		return s, nil
	case !errors.Is(err, os.ErrNotExist):
		return nil, fmt.Errorf("SMS.INI %s: %w", s.path, err)
	}
	s.missing = true
	dir := filepath.Dir(s.path)
	if _, err := os.Stat(dir); err == nil {
		return s, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("SMS.INI's folder %s: %w", dir, err)
	}
	if !g.set.Explicit("ini") && dir == config.StateDir(g.goos, g.env) {
		// The default state folder, not made yet: nothing was ever
		// queued here. run makes it.
		if createStateDir {
			if err := createFolder(dir); err != nil {
				return nil, err
			}
		}
		return s, nil
	}
	return nil, &exitError{code: exitUsage, err: fmt.Errorf("the folder %s of SMS.INI %s (%s) does not exist: a wrong path?", dir, s.path, g.set.SourceOf("ini"))}
}

// createFolder creates the default state folder, mode 0700 (its parent
// must exist), durably.
func createFolder(dir string) error {
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, os.ErrExist) {
		return fmt.Errorf("create the state folder %s: %w", dir, err)
	}
	return fsroot.SyncDir(filepath.Dir(dir))
}

// wrongPath refuses an SMS.INI given with --ini that does not exist when
// the journal holds nothing either (nothing to write it again from).
func (s *iniState) wrongPath(g *globalOptions, journalEmpty bool) error {
	if !s.missing || !s.explicit || !journalEmpty {
		return nil
	}
	return &exitError{code: exitUsage, err: fmt.Errorf("no SMS.INI at %s (given by --ini), and nothing queued in the journal %s: a wrong path? (to queue work there: smswork --ini %s add ENTRY)",
		s.path, g.journalPath(), shellQuote(s.path))}
}

// notice is what a command says of a missing SMS.INI, "" when there is
// one.
func (s *iniState) notice(journalEmpty bool) string {
	switch {
	case !s.missing:
		return ""
	case journalEmpty:
		return fmt.Sprintf("no SMS.INI at %s; nothing queued", s.path)
	}
	return fmt.Sprintf("no SMS.INI at %s: the journal's operations are queued; run writes it again from the journal", s.path)
}

// journalHasWork says whether the journal holds an operation not
// committed yet; a journal that does not exist holds none.
func journalHasWork(j *journal.Journal) (bool, error) {
	if j == nil {
		return false, nil
	}
	work := false
	err := j.View(func(tx *journal.Tx) error {
		return tx.Queue(func(e *journal.Entry) error {
			if e.State != journal.Committed {
				work = true
				return journal.ErrStop
			}
			return nil
		})
	})
	return work, err
}

// journalExists says whether the journal file is there.
func (g *globalOptions) journalExists() bool {
	_, err := os.Stat(g.journalPath())
	return err == nil
}
