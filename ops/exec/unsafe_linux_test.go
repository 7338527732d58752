package exec

import "unsafe"

// unsafePointer lets the inotify reader of race_test.go view a buffer as
// an event.
func unsafePointer(b *byte) unsafe.Pointer { return unsafe.Pointer(b) }
