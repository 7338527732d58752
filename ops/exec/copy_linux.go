package exec

import (
	"errors"
	"fmt"
	"io"
	"os"
	"sync"

	"golang.org/x/sys/unix"
)

// copyPaths narrows the ways a binary copy may move its bytes on Linux
// (tests force each one through Executor.copyPaths); the zero value allows
// all: a reflink, else copy_file_range, else the loop.
type copyPaths struct{ noClone, noRange bool }

// copyLoop copies src to dst through c.buf, hashing what it reads and so
// what it writes: the path of a binary copy the kernel cannot do.
func (c *copyReader) copyLoop(dst io.Writer) (int64, copyVia, func() error, error) {
	n, err := c.WriteTo(dst)
	return n, viaLoop, func() error { return nil }, err
}

// writebackChunk is how many copied bytes a copy_file_range copy lets
// gather before it asks the kernel to start writing them to the disk.
const writebackChunk = 8 << 20

// copyFile copies src to dst (new and empty), a binary copy, with the
// kernel moving the bytes, and hashes the source reading it once:
//
//   - a reflink (FICLONE) where the file system shares extents (XFS,
//     btrfs): dst gets src's extents, no byte is copied, and hashing the
//     source is the whole cost;
//   - else copy_file_range, chunk by chunk (copyChunk, the unit of
//     progress), with the copied range's write-back started as the copy
//     goes (sync_file_range SYNC_FILE_RANGE_WRITE, every writebackChunk),
//     so that the disk writes while the kernel copies and the fsync that
//     follows waits for little: it is the fsync, not this, that makes the
//     bytes durable;
//   - else (a file system or a kernel that can do neither: EXDEV,
//     EOPNOTSUPP, EINVAL, ENOSYS on the first call) the loop through the
//     buffer, which hashes what it writes.
//
// On the kernel paths the source is hashed by hashSource, in parallel; the
// returned wait function waits for the hash and then checks that the
// source still has the size and time it had when the copy began (sfi,
// sourceUnchanged), so that the hash recorded is of the bytes copied.
// p (tests) takes paths out.
func (c *copyReader) copyFile(dst, src *os.File, sfi os.FileInfo, p copyPaths) (n int64, via copyVia, wait func() error, err error) {
	if !p.noClone {
		err := unix.IoctlFileClone(int(dst.Fd()), int(src.Fd()))
		if err == nil {
			n = sfi.Size()
			if c.progress != nil {
				c.progress(n)
			}
			if c.afterFirst != nil {
				c.afterFirst()
			}
			_, hashed := c.hashSource(src)
			return n, viaClone, c.checked(hashed, src, sfi, n), nil
		}
		if !kernelCannot(err) {
			return 0, viaClone, nil, fmt.Errorf("clone: %w", err)
		}
	}
	if !p.noRange {
		stop, hashed := c.hashSource(src)
		n, err := c.copyRange(dst, src)
		switch {
		case err == nil:
			return n, viaRange, c.checked(hashed, src, sfi, n), nil
		case n == 0 && kernelCannot(err):
			stop()
			_ = hashed()
			c.srcHash.Reset() // the loop hashes what it copies
		default:
			stop()
			_ = hashed()
			return n, viaRange, nil, fmt.Errorf("copy_file_range: %w", err)
		}
	}
	return c.copyLoop(dst)
}

// copyRange copies src to dst with copy_file_range from their file
// positions, copyChunk at a time, starting the write-back of every
// writebackChunk copied. An error with nothing copied may be the kernel's
// refusal (kernelCannot): the caller falls back.
func (c *copyReader) copyRange(dst, src *os.File) (int64, error) {
	rfd, wfd := int(src.Fd()), int(dst.Fd())
	var total, started int64
	for i := 0; ; i++ {
		n, err := unix.CopyFileRange(rfd, nil, wfd, nil, copyChunk, 0)
		if errors.Is(err, unix.EINTR) {
			continue
		}
		if err != nil {
			return total, err
		}
		total += int64(n)
		if total-started >= writebackChunk {
			// A hint, whose error is not the copy's: the fsync that
			// follows is what makes the bytes durable, and reports a
			// failed write.
			_ = unix.SyncFileRange(wfd, started, total-started, unix.SYNC_FILE_RANGE_WRITE)
			started = total
		}
		if n > 0 && c.progress != nil {
			c.progress(total)
		}
		if i == 0 && c.afterFirst != nil {
			c.afterFirst()
		}
		if n == 0 {
			return total, nil
		}
	}
}

// checked is the wait function of a kernel copy of n bytes of src.
func (c *copyReader) checked(hashed func() error, src *os.File, sfi os.FileInfo, n int64) func() error {
	return sync.OnceValue(func() error {
		if err := hashed(); err != nil {
			return err
		}
		return sourceUnchanged(src, sfi, n)
	})
}

// kernelCannot reports whether err, from FICLONE or copy_file_range, says
// the kernel cannot copy between these two files this way, rather than
// that the copy failed.
func kernelCannot(err error) bool {
	return errors.Is(err, unix.EXDEV) || errors.Is(err, unix.EOPNOTSUPP) ||
		errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.ENOTTY)
}
