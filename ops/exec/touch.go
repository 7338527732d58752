package exec

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"smswork/internal/fsroot"
	"smswork/ops"
)

// touchKind is DOS's `copy FILE+,,`: FILE gets the current time as its
// modification time; its content is unchanged.
type touchKind struct{}

func (touchKind) prepare(e *Executor, op *ops.Op, _ uint64) (*ops.Intent, error) {
	return e.prepareOne(op.Src, false)
}

func (touchKind) check(op *ops.Op, in *ops.Intent) error { return checkOne(op, in) }

func (touchKind) execute(_ context.Context, e *Executor, _ *ops.Op, in *ops.Intent, _ func(*ops.Intent) error, res *ops.Result) {
	e.execTouch(in.Items[0], res)
}

// effects: the file's time changes, nothing else.
func (touchKind) effects(_ *ops.Op, in *ops.Intent, _ *results) []Effect {
	if in == nil || len(in.Items) != 1 {
		return nil
	}
	return []Effect{{Change: Touched, Path: in.Items[0].Src}}
}

// execTouch sets the modification time of an existing file to now, as
// DOS's `copy FILE+,,`, and makes it durable.
func (e *Executor) execTouch(it ops.Item, res *ops.Result) {
	fi, err := e.Drives.Stat(it.Src)
	if err != nil {
		if fsroot.IsNotExist(err) {
			err = fmt.Errorf("%s not found", it.Src)
		} else {
			err = fmt.Errorf("%s: %w", it.Src, err)
		}
		setFailed(res, err)
		return
	}
	if !fi.Mode().IsRegular() {
		setFailed(res, fmt.Errorf("%s is not a file", it.Src))
		return
	}
	now := time.Now()
	// Through the handle on the file's folder (the drain's scope: the one
	// its preparation opened), as the look above.
	if err := e.Drives.Following(it.Src, func(root *os.Root, name string) error {
		return root.Chtimes(name, now, now)
	}); err != nil {
		setFailed(res, fmt.Errorf("set time of %s: %w", it.Src, err))
		return
	}
	if err := e.Drives.Following(it.Src, func(root *os.Root, name string) error {
		return fsroot.SyncRootFile(root, name)
	}); err != nil && !errors.Is(err, os.ErrNotExist) {
		setFailed(res, fmt.Errorf("sync %s: %w", it.Src, err))
		return
	}
	res.Files = append(res.Files, ops.FileResult{Path: it.Src, Size: fi.Size()})
	setDone(res, true)
}
