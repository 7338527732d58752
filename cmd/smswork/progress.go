package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/rs/zerolog"

	"smswork/ops"
	"smswork/ops/exec"
)

// fileProgress follows one file: when it started, and the last report.
type fileProgress struct {
	dst         ops.Path
	start, last time.Time
	shown       bool
}

// next starts following dst when it is a new file (done 0 or another
// destination) and reports whether a report is due at now: the first one
// after delay, then one every interval.
func (f *fileProgress) next(dst ops.Path, done int64, now time.Time, delay, interval time.Duration) (due bool) {
	if done == 0 || dst != f.dst {
		*f = fileProgress{dst: dst, start: now}
		return false
	}
	if !f.shown {
		if now.Sub(f.start) < delay {
			return false
		}
		f.shown = true
		f.last = now
		return true
	}
	if now.Sub(f.last) < interval {
		return false
	}
	f.last = now
	return true
}

// rate is bytes per second since the file started, and the time left at
// that rate (0 when it cannot be told).
func (f *fileProgress) rate(done, total int64, now time.Time) (perSec float64, left time.Duration) {
	el := now.Sub(f.start).Seconds()
	if el <= 0 || done <= 0 {
		return 0, 0
	}
	perSec = float64(done) / el
	if total > done {
		left = time.Duration(float64(total-done) / perSec * float64(time.Second)).Round(time.Second)
	}
	return perSec, left
}

// NewProgressLog returns a ProgressFunc for a machine without a terminal:
// a copy that lasts longer than interval logs an info event "copying"
// (dst, done, total, percent, bytes_per_sec, eta_sec) every interval, so
// that a long boot shows it is alive; quicker copies log nothing. now is
// the clock (nil: time.Now).
func NewProgressLog(log zerolog.Logger, interval time.Duration, now func() time.Time) exec.ProgressFunc {
	if now == nil {
		now = time.Now
	}
	var mu sync.Mutex
	var f fileProgress
	return func(dst ops.Path, done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		t := now()
		if !f.next(dst, done, t, interval, interval) {
			return
		}
		perSec, left := f.rate(done, total, t)
		ev := log.Info().Str("dst", dst.String()).Int64("done", done).Int64("total", total)
		if total > 0 {
			ev = ev.Int("percent", int(done*100/total))
		}
		ev.Int64("bytes_per_sec", int64(perSec)).Int64("eta_sec", int64(left/time.Second)).Msg("copying")
	}
}

// NewProgressBar returns a ProgressFunc for a terminal: a copy that lasts
// longer than a fraction of a second draws, on one line of w redrawn in
// place, the file, bytes done of total, percentage, rate and time left;
// the line is ended when the file is complete. now is the clock (nil:
// time.Now).
func NewProgressBar(w io.Writer, now func() time.Time) exec.ProgressFunc {
	if now == nil {
		now = time.Now
	}
	const delay, redraw = 300 * time.Millisecond, 100 * time.Millisecond
	var mu sync.Mutex
	var f fileProgress
	return func(dst ops.Path, done, total int64) {
		mu.Lock()
		defer mu.Unlock()
		t := now()
		complete := total > 0 && done >= total
		due := f.next(dst, done, t, delay, redraw)
		if !due && !(complete && f.shown) {
			return
		}
		perSec, left := f.rate(done, total, t)
		fmt.Fprintf(w, "\r%s", progressLine(dst, done, total, perSec, left))
		if complete {
			fmt.Fprint(w, "\n")
			f.shown = false
			f.dst = ops.Path{}
		}
	}
}

// progressLine is one line of the bar:
// `C:\x\big.bin [=======>    ] 45.0 MiB / 100.0 MiB  45%  12.3 MiB/s  4s left`.
func progressLine(dst ops.Path, done, total int64, perSec float64, left time.Duration) string {
	const width = 24
	bar := make([]byte, width)
	fill := 0
	pct := 0
	if total > 0 {
		fill = int(min(done, total) * width / total)
		pct = int(min(done, total) * 100 / total)
	}
	for i := range bar {
		switch {
		case i < fill:
			bar[i] = '='
		case i == fill && fill < width:
			bar[i] = '>'
		default:
			bar[i] = ' '
		}
	}
	s := fmt.Sprintf("%s [%s] %s / %s %3d%%  %s/s", dst, bar, byteSize(done), byteSize(total), pct, byteSize(int64(perSec)))
	if left > 0 {
		s += fmt.Sprintf("  %s left", left)
	}
	return s + "\x1b[K" // erase what a longer previous line left
}

// byteSize prints n bytes in binary units.
func byteSize(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit && exp < 4; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTP"[exp])
}
