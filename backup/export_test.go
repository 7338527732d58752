package backup

import (
	"smswork/internal/fsroot"
	"smswork/ops"
)

// ForceCopy makes s copy files into and out of the folder instead of
// linking them, so that tests cover the way taken across file systems.
func (s *Store) ForceCopy() { s.copyOnly = true }

// PlanLimit is Plan keeping at most limit entries of an rd /s.
func PlanLimit(d *fsroot.Drives, seq uint64, attempt int, op *ops.Op, in *ops.Intent, limit int) error {
	return plan(d, seq, attempt, op, in, limit)
}
