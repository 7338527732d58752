package fsroot

import "smswork/ops"

// FolderSet collects the folders an operation changed entries of, in
// order, so that each is synced once.
type FolderSet struct {
	seen map[ops.Path]bool
	list []ops.Path
}

// Add notes the folder holding p.
func (s *FolderSet) Add(p ops.Path) {
	d := p.Parent()
	if s.seen == nil {
		s.seen = make(map[ops.Path]bool)
	}
	if !s.seen[d] {
		s.seen[d] = true
		s.list = append(s.list, d)
	}
}

// Sync syncs every folder collected, through d; a folder that no longer
// exists has nothing to make durable.
func (s *FolderSet) Sync(d *Drives) error {
	for _, f := range s.list {
		if err := d.SyncFolder(f); err != nil {
			return err
		}
	}
	return nil
}
