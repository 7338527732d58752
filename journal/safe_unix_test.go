//go:build unix

package journal

import (
	"errors"
	"syscall"
	"testing"
)

// TestGuard_FaultIsDamage reads memory that was mapped and is no longer:
// a fault, which kills a process unless the goroutine asked for a panic.
func TestGuard_FaultIsDamage(t *testing.T) {
	mem, err := syscall.Mmap(-1, 0, 1<<16, syscall.PROT_READ, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		t.Fatal(err)
	}
	gone := mem // the slice still points where the mapping was
	if err := syscall.Munmap(mem); err != nil {
		t.Fatal(err)
	}
	var read byte
	p, gerr := guarded(func() { read = gone[100] })
	if p != nil || !errors.Is(gerr, ErrDamaged) {
		t.Fatalf("a fault: error %v, panic %v (read %d); want damage", gerr, p, read)
	}
}
