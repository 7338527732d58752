package exec

import "smswork/ops"

// ProgressFunc is told how far the copy of one file has come: dst is the
// file being written, done the bytes written so far and total the source's
// size when the copy started. A copy calls it once with done 0 before the
// first byte and then after every buffer written; done may pass total when
// the source grows meanwhile. It runs on the copying goroutine: it must be
// quick and must not fail.
type ProgressFunc func(dst ops.Path, done, total int64)
