package recovery

import (
	"fmt"

	"smswork/journal"
)

// pruneBackups applies the retention setting (Config.KeepBackups): while
// the backups of batches not pruned yet sum to more than it, the oldest
// finished batch loses its backups, and with them the means to be undone.
// Batches with work left, or being undone, keep theirs. Each batch is
// first marked pruning (so no undo starts on half its files), then its
// files are removed, then it is marked pruned; a crash in between is
// finished by the next prune.
func (r *runner) pruneBackups() error {
	if r.cfg.Backups == nil || r.cfg.KeepBackups < 0 {
		return nil
	}
	limit := uint64(r.cfg.KeepBackups)
	var over, pending bool
	var victims, discard []journal.Batch
	err := r.cfg.Journal.View(func(tx *journal.Tx) error {
		total := tx.BackupBytes()
		pending = tx.PrunePending()
		over = total > limit || pending
		if !over {
			return nil
		}
		return tx.Batches(func(b *journal.Batch) error {
			if len(b.Discard) > 0 {
				discard = append(discard, *b)
			}
			if b.Backups == journal.BackupsPruning {
				// Lost to a history prune, or a crash cut a prune short.
				victims = append(victims, *b)
				total -= min(total, uint64(b.BackupBytes))
				return nil
			}
			if total <= limit {
				if pending {
					return nil
				}
				return journal.ErrStop
			}
			if b.Backups == journal.BackupsPruned || b.BackupBytes == 0 && b.Backups == "" {
				return nil
			}
			if b.Undo != nil {
				return nil
			}
			if b.Backups != journal.BackupsPruning {
				done, err := tx.BatchFinished(b)
				if err != nil {
					return err
				}
				if !done {
					return nil
				}
			}
			victims = append(victims, *b)
			total -= min(total, uint64(b.BackupBytes))
			return nil
		})
	})
	if err != nil || !over {
		return err
	}
	for _, b := range discard {
		// Backups of undo steps already restored.
		if err := r.cfg.Backups.Remove(b.Discard); err != nil {
			return fmt.Errorf("remove backups of batch %d: %w", b.ID, err)
		}
		if err := r.marker.update(func(tx *journal.Tx) error { return tx.Discarded(b.ID) }); err != nil {
			return err
		}
	}
	for _, b := range victims {
		var names []string
		if err := r.marker.update(func(tx *journal.Tx) (err error) {
			if names, err = tx.BackupNames(b.ID); err != nil {
				return err
			}
			return tx.SetBackups(b.ID, journal.BackupsPruning)
		}); err != nil {
			return err
		}
		r.fp.Hit("prune.before-remove")
		if err := r.cfg.Backups.Remove(names); err != nil {
			return fmt.Errorf("remove backups of batch %d: %w", b.ID, err)
		}
		if err := r.marker.update(func(tx *journal.Tx) error { return tx.SetBackups(b.ID, journal.BackupsPruned) }); err != nil {
			return err
		}
		r.log.Info().Uint64("batch", b.ID).Int64("bytes", b.BackupBytes).Int("files", len(names)).
			Msg("backups removed (--keep-backups, or its history was pruned): the batch can no longer be undone")
	}
	if !pending {
		return nil
	}
	return r.marker.update(func(tx *journal.Tx) error { return tx.ClearPrunePending() })
}
