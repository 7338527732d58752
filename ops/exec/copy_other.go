//go:build !linux

package exec

import (
	"io"
	"os"
)

// copyPaths is Linux's choice of copy paths, which these systems do not
// have.
type copyPaths struct{}

// copyFile copies src to dst, a binary copy: os.File.ReadFrom moves the
// bytes chunk by chunk (a plain read and write on these systems) while
// hashSource reads the source with pread and hashes it, so memory stays
// at one buffer whatever the file's size. The hash is complete, and the
// source checked unchanged since sfi (sourceUnchanged), when the returned
// wait function returns. p is for Linux's paths, which these systems do
// not have.
func (c *copyReader) copyFile(dst, src *os.File, sfi os.FileInfo, _ copyPaths) (n int64, via copyVia, wait func() error, err error) {
	stop, hashed := c.hashSource(src)
	var total int64
	for i := 0; ; i++ {
		n, err := dst.ReadFrom(io.LimitReader(src, copyChunk))
		total += n
		if err != nil {
			stop()
			_ = hashed()
			return total, viaReadFrom, nil, err
		}
		if n > 0 && c.progress != nil {
			c.progress(total)
		}
		if i == 0 && c.afterFirst != nil {
			c.afterFirst()
		}
		if n == 0 {
			break
		}
	}
	return total, viaReadFrom, func() error {
		if err := hashed(); err != nil {
			return err
		}
		return sourceUnchanged(src, sfi, total)
	}, nil
}
