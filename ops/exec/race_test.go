//go:build linux

package exec

import (
	"context"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"smswork/ops"

	"golang.org/x/sys/unix"
)

// TestExecutor_SymlinkSwapRace runs copy, del, move, md and rd again and
// again on a folder of drive C while another goroutine swaps that folder,
// atomically (renameat2 RENAME_EXCHANGE), for a symbolic link to a folder
// outside the drive, absolute or relative, and back. Whatever instant an
// operation checks or uses the path at, os.Root resolves each step inside
// the root: nothing outside may be created, changed, deleted, or even
// opened (inotify watches the outside folder the whole time), and nothing
// outside may be copied in.
func TestExecutor_SymlinkSwapRace(t *testing.T) {
	e, m := exNew(t)
	c := m["C"]
	base := filepath.Dir(c)
	outside := filepath.Join(base, "outside")
	// The outside folder holds what the operations would hit had they
	// followed the link.
	for _, f := range []string{"a.txt", "b.txt", "secret.txt", "tree/x.txt", "new/keep.txt"} {
		exWrite(t, outside, f, "outside "+f)
	}
	exWrite(t, c, "src.txt", "inside")
	sub := filepath.Join(c, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	absLink, relLink := filepath.Join(c, "abs-link"), filepath.Join(c, "rel-link")
	if err := os.Symlink(outside, absLink); err != nil {
		t.Skipf("no symbolic links: %v", err)
	}
	if err := os.Symlink("../outside", relLink); err != nil {
		t.Fatal(err)
	}
	if err := unix.Renameat2(unix.AT_FDCWD, absLink, unix.AT_FDCWD, relLink, unix.RENAME_EXCHANGE); err != nil {
		t.Skipf("no RENAME_EXCHANGE here: %v", err)
	}
	if err := unix.Renameat2(unix.AT_FDCWD, absLink, unix.AT_FDCWD, relLink, unix.RENAME_EXCHANGE); err != nil {
		t.Fatal(err)
	}
	before := exSnap(t, outside)
	watch := watchTree(t, outside)

	queue := []*ops.Op{
		{Kind: ops.KindCopy, Src: exC("src.txt"), Dst: exC("sub/a.txt")},
		{Kind: ops.KindCopy, Src: exC("src.txt"), Dst: exC("sub")},
		{Kind: ops.KindCopy, Src: exC("sub/secret.txt"), Dst: exC("stolen.txt")},
		{Kind: ops.KindCopy, Src: exC("sub/*.txt"), Dst: exC("loot")},
		{Kind: ops.KindCopy, Src: exC("sub/a.txt"), Touch: true},
		{Kind: ops.KindMove, Src: exC("sub/a.txt"), Dst: exC("sub/b.txt")},
		{Kind: ops.KindMove, Src: exC("sub/b.txt"), Dst: exC("moved.txt")},
		{Kind: ops.KindMove, Src: exC("moved.txt"), Dst: exC("sub/a.txt")},
		{Kind: ops.KindMD, Src: exC("sub/new/deeper")},
		{Kind: ops.KindMD, Src: exC("sub/tree/x")},
		{Kind: ops.KindRD, Src: exC("sub/new/deeper")},
		{Kind: ops.KindRD, Src: exC("sub/tree"), Recursive: true},
		{Kind: ops.KindDel, Src: exC("sub/a.txt")},
		{Kind: ops.KindDel, Src: exC("sub/*.txt")},
	}
	if err := os.Mkdir(filepath.Join(c, "loot"), 0o755); err != nil {
		t.Fatal(err)
	}

	rounds := 150
	if testing.Short() {
		rounds = 30
	}
	var stop atomic.Bool
	var swaps, swapErrs atomic.Int64
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		// Each exchange toggles: sub becomes the link and the link's name
		// the folder, then the next exchange of the same pair undoes it.
		for i := 0; !stop.Load(); i++ {
			link := absLink
			if i%4 >= 2 {
				link = relLink
			}
			if err := unix.Renameat2(unix.AT_FDCWD, sub, unix.AT_FDCWD, link, unix.RENAME_EXCHANGE); err != nil {
				swapErrs.Add(1)
				continue
			}
			swaps.Add(1)
			// Keep each state a random while, the folder longer than
			// the link, so that operations get anywhere from their
			// first check to their last step before the swap. This
			// shapes the interleaving; it orders nothing, and the
			// assertions hold whatever the timing.
			// A refused operation is quick and a done one slow (it
			// syncs), so the folder state is held much longer.
			hold := time.Duration(rand.IntN(50)) * time.Microsecond
			if i%2 == 1 {
				hold *= 100 // sub is the folder again
			}
			for start := time.Now(); time.Since(start) < hold && !stop.Load(); {
				runtime.Gosched()
			}
		}
	}()
	var done, failed int
	for range rounds {
		for _, op := range queue {
			in, err := e.Prepare(op, 1)
			if err != nil {
				failed++

				continue
			}
			if res := e.Execute(context.Background(), op, in, nil); res.Outcome == ops.Failed {
				failed++

			} else {
				done++
			}
		}
	}
	stop.Store(true)
	wg.Wait()
	t.Logf("%d operations done, %d refused or failed, %d swaps (%d swap errors)", done, failed, swaps.Load(), swapErrs.Load())
	if swaps.Load() == 0 || done == 0 || failed == 0 {
		t.Fatal("the race was not run: no swap, or no operation both done and refused")
	}

	if ev := watch(); len(ev) > 0 {
		t.Errorf("the outside folder was touched: %s", strings.Join(ev, "; "))
	}
	exDiff(t, "outside", exSnap(t, outside), before)
	// Nothing of the outside folder was copied in.
	err := filepath.WalkDir(c, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		if err == nil && strings.HasPrefix(string(b), "outside ") {
			t.Errorf("%s holds %q, read from outside the drive", p, b)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// watchTree watches dir and every folder below it with inotify for any
// access, change, creation or deletion; the function it returns stops
// watching and describes the events seen.
func watchTree(t *testing.T, dir string) func() []string {
	t.Helper()
	fd, err := unix.InotifyInit1(unix.IN_CLOEXEC | unix.IN_NONBLOCK)
	if err != nil {
		t.Skipf("no inotify: %v", err)
	}
	names := map[int32]string{}
	err = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || !d.IsDir() {
			return err
		}
		wd, err := unix.InotifyAddWatch(fd, p, unix.IN_ALL_EVENTS|unix.IN_DONT_FOLLOW)
		names[int32(wd)] = p
		return err
	})
	if err != nil {
		unix.Close(fd)
		t.Fatal(err)
	}
	readEvents(fd, names) // the walk's own
	return func() []string {
		defer unix.Close(fd)
		return readEvents(fd, names)
	}
}

// readEvents reads and describes the events queued on inotify fd.
func readEvents(fd int, names map[int32]string) []string {
	var out []string
	buf := make([]byte, 64<<10)
	for {
		n, err := unix.Read(fd, buf)
		if n <= 0 || err != nil {
			return out
		}
		for off := 0; off+unix.SizeofInotifyEvent <= n; {
			ev := (*unix.InotifyEvent)(unsafePointer(&buf[off]))
			name := ""
			if ev.Len > 0 {
				name = strings.TrimRight(string(buf[off+unix.SizeofInotifyEvent:off+unix.SizeofInotifyEvent+int(ev.Len)]), "\x00")
			}
			out = append(out, filepath.Join(names[ev.Wd], name)+" "+inotifyMask(ev.Mask))
			off += unix.SizeofInotifyEvent + int(ev.Len)
		}
	}
}

func inotifyMask(m uint32) string {
	var s []string
	for _, b := range []struct {
		bit  uint32
		name string
	}{
		{unix.IN_ACCESS, "access"}, {unix.IN_MODIFY, "modify"}, {unix.IN_ATTRIB, "attrib"},
		{unix.IN_CLOSE_WRITE, "close-write"}, {unix.IN_CLOSE_NOWRITE, "close"}, {unix.IN_OPEN, "open"},
		{unix.IN_MOVED_FROM, "moved-from"}, {unix.IN_MOVED_TO, "moved-to"}, {unix.IN_CREATE, "create"},
		{unix.IN_DELETE, "delete"}, {unix.IN_DELETE_SELF, "delete-self"}, {unix.IN_MOVE_SELF, "move-self"},
	} {
		if m&b.bit != 0 {
			s = append(s, b.name)
		}
	}
	return strings.Join(s, "|")
}
