package smsini

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// allocDuring returns the bytes allocated while fn runs.
func allocDuring(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// TestRead_HugeFileNotRead checks that a file far over MaxFileSize (a
// sparse gigabyte) is refused from its size, without being read.
func TestRead_HugeFileNotRead(t *testing.T) {
	p := filepath.Join(t.TempDir(), "SMS.INI")
	fh, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := fh.Truncate(1 << 30); err != nil {
		t.Skip(err)
	}
	if err := fh.Close(); err != nil {
		t.Fatal(err)
	}
	var rerr error
	alloc := allocDuring(func() { _, rerr = Read(p) })
	if !errors.Is(rerr, ErrTooLarge) || !strings.Contains(rerr.Error(), p+":1:1: file is 1073741824 bytes") {
		t.Fatalf("Read = %v", rerr)
	}
	if alloc > 1<<20 {
		t.Errorf("refusing a 1 GiB file allocated %d bytes", alloc)
	}
}

// TestRead_EndlessFile checks that a file whose size says nothing (a
// device that never ends) is read only up to MaxFileSize+1 bytes.
func TestRead_EndlessFile(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip("no /dev/zero")
	}
	var rerr error
	alloc := allocDuring(func() { _, rerr = Read("/dev/zero") })
	if !errors.Is(rerr, ErrTooLarge) {
		t.Fatalf("Read = %v", rerr)
	}
	if alloc > 4*MaxFileSize {
		t.Errorf("reading an endless file allocated %d bytes", alloc)
	}
}

// TestParse_Limits checks that each limit gives its error at its
// position, and that the work done before stopping is bounded by the
// limit, not by the input: entries past MaxEntries are not collected.
func TestParse_Limits(t *testing.T) {
	for _, tc := range []struct {
		name string
		data string
		want string
		err  error
	}{
		{"line", "[SMS Work]\r\nPendingWork=" + strings.Repeat("x", 10<<20) + "\r\n", "SMS.INI:2:1048577: line is 10485772 bytes, over the limit of 1048576", ErrLineTooLong},
		{"entry", "[SMS Work]\nPendingWork=md c:\\" + strings.Repeat("x", MaxEntryLen) + "\n", "SMS.INI:2:13: entry is 32774 bytes, over the limit of 32768", ErrEntryTooLong},
		{"entries", "[SMS Work]\nPendingWork=" + strings.Repeat("md c:\\x,", MaxEntries) + "rd c:\\x\n", "SMS.INI:2:800013: more than 100000 entries", ErrTooManyEntries},
		{"entries over lines", "[SMS Work]\nPendingWork=" + strings.Repeat("a,\n", MaxEntries+5000), "SMS.INI:100002:1: more than 100000 entries", ErrTooManyEntries},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := []byte(tc.data)
			var err error
			alloc := allocDuring(func() { _, err = Parse("SMS.INI", data) })
			if !errors.Is(err, tc.err) || err.Error() != tc.want {
				t.Fatalf("Parse = %v\nwant %s", err, tc.want)
			}
			if limit := uint64(64 * MaxEntries * 4); alloc > limit {
				t.Errorf("allocated %d bytes", alloc)
			}
		})
	}
}
