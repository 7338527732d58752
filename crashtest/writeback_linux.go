package crashtest

import (
	"fmt"
	"os"
	"strings"
	"sync"
)

// writebackKnob is the kernel's period of its write-back of dirty pages;
// 0 turns periodic write-back off (dirty pages then reach the disk only
// when synced, or under memory pressure).
const writebackKnob = "/proc/sys/vm/dirty_writeback_centisecs"

// writeback counts the disks that hold periodic write-back off, and keeps
// the value to put back when the last one is closed: one setting of the
// machine, shared by every disk of the test binary.
var writeback struct {
	mu    sync.Mutex
	holds int
	saved string
}

// holdWriteback turns periodic write-back off until the returned function
// is called (by each holder once): the image-copy power cut then copies
// only what the file system made durable itself. The machine's setting is
// put back when the last hold is released.
func holdWriteback() (release func() error, err error) {
	writeback.mu.Lock()
	defer writeback.mu.Unlock()
	if writeback.holds == 0 {
		old, err := os.ReadFile(writebackKnob)
		if err != nil {
			return nil, err
		}
		if err := os.WriteFile(writebackKnob, []byte("0\n"), 0o644); err != nil {
			return nil, fmt.Errorf("hold write-back off: %w", err)
		}
		writeback.saved = strings.TrimSpace(string(old))
	}
	writeback.holds++
	var once sync.Once
	return func() (err error) {
		once.Do(func() {
			writeback.mu.Lock()
			defer writeback.mu.Unlock()
			writeback.holds--
			if writeback.holds == 0 {
				err = os.WriteFile(writebackKnob, []byte(writeback.saved+"\n"), 0o644)
			}
		})
		return err
	}, nil
}
