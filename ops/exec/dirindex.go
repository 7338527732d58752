package exec

import "smswork/ops"

// refreshAfter updates the folder indexes of the drives after op ran with
// intent in: each path an item names is brought up to date, and a program
// (which may have changed anything) drops them all.
func (e *Executor) refreshAfter(op *ops.Op, in *ops.Intent) {
	if e.Drives == nil {
		return
	}
	if op == nil || op.Kind == ops.KindRun || in == nil {
		e.Drives.Forget()
		return
	}
	for _, it := range in.Items {
		e.Drives.Changed(it.Src)
		if !it.Dst.IsZero() {
			e.Drives.Changed(it.Dst)
		}
	}
}
