package exec

import (
	"context"
	"fmt"

	"smswork/ops"
)

// kind is everything one kind of operation does: each lives in a file of
// its own (copy.go, touch.go, del.go, move.go, ren.go, dir.go, run.go). Adding a
// verb is one such file, its case in kindOf, and its parsing in ops.
type kind interface {
	// prepare computes, with reads only, the intent of op (see
	// Executor.Prepare).
	prepare(e *Executor, op *ops.Op, opID uint64) (*ops.Intent, error)
	// check refuses an intent that does not fit op (the number of items,
	// the paths and temporary names they name), so that no bad journal
	// record can make execute touch what it should not. The checks common
	// to every kind (paths in Path's form, at most ops.MaxExpansion items)
	// are made before it.
	check(op *ops.Op, in *ops.Intent) error
	// execute performs op as in records it, into res (see
	// Executor.Execute); repeated with the same intent after a crash, it
	// finishes the operation.
	execute(ctx context.Context, e *Executor, op *ops.Op, in *ops.Intent, step func(*ops.Intent) error, res *ops.Result)
	// effects describes the paths op changes and the state it leaves
	// there (see Effects); it reads no file.
	effects(op *ops.Op, in *ops.Intent, r *results) []Effect
}

// The kinds, by the Kind of the operations they perform; touch is copy's
// `copy FILE+,,` but a kind of its own here.
var (
	_ kind = copyKind{}
	_ kind = touchKind{}
	_ kind = delKind{}
	_ kind = moveKind{}
	_ kind = renKind{}
	_ kind = mdKind{}
	_ kind = rdKind{}
	_ kind = runKind{}
)

// kindOf returns the kind that performs op.
func kindOf(op *ops.Op) (kind, error) {
	if op == nil {
		return nil, fmt.Errorf("%w: no operation", ErrBadIntent)
	}
	switch op.Kind {
	case ops.KindCopy:
		if op.Touch {
			return touchKind{}, nil
		}
		return copyKind{}, nil
	case ops.KindDel:
		return delKind{}, nil
	case ops.KindMove:
		return moveKind{}, nil
	case ops.KindRen:
		return renKind{}, nil
	case ops.KindMD:
		return mdKind{}, nil
	case ops.KindRD:
		return rdKind{}, nil
	case ops.KindRun:
		return runKind{}, nil
	}
	return nil, fmt.Errorf("%w: unknown kind %q", ErrBadIntent, op.Kind)
}

// checkOne refuses an intent of an operation on one named path that does
// not have exactly one item.
func checkOne(op *ops.Op, in *ops.Intent) error {
	if len(in.Items) != 1 {
		return fmt.Errorf("%w: %s with %d items", ErrBadIntent, op.Kind, len(in.Items))
	}
	return nil
}
