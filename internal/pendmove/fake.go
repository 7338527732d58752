package pendmove

import (
	"os"
	"sync"
)

// Fake is a scripted Session Manager for tests on any system: it keeps
// the registered pairs as PendingFileRenameOperations would, and Boot
// performs them as smss (and Wine's wineboot) does at boot: each in
// order, failures ignored, then the whole list cleared.
type Fake struct {
	mu    sync.Mutex
	pairs []Pending
	// Registered counts the calls of Register.
	Registered int
}

// Register appends the pair, as MoveFileEx with
// MOVEFILE_DELAY_UNTIL_REBOOT | MOVEFILE_REPLACE_EXISTING does.
func (f *Fake) Register(src, dst string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.Registered++
	f.pairs = append(f.pairs, Pending{Source: src, Target: dst, Delete: dst == "", Replace: dst != ""})
	return nil
}

// Pending returns the pairs registered and not yet booted.
func (f *Fake) Pending() ([]Pending, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Pending(nil), f.pairs...), nil
}

// Clear removes every pair, as someone clearing the value by hand.
func (f *Fake) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pairs = nil
}

// Boot performs every pair on the host's files and clears the list.
func (f *Fake) Boot() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.pairs {
		if p.Delete {
			_ = os.Remove(p.Source)
		} else {
			_ = os.Rename(p.Source, p.Target)
		}
	}
	f.pairs = nil
}
