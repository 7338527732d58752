package main

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"

	"smswork/crashtest"
)

// reflinkCompare makes a loop image of file system fs (root and its mkfs
// needed: else one row says why it is skipped), and compares there
// cp --reflink=always then sync against smswork, which reflinks too: no
// byte is copied, and the SHA-256 of the source is what smswork's copy
// costs. The image is unmounted and removed afterwards.
func (b *bench) reflinkCompare(fs string, size int64, label string) (rows []row, err error) {
	what := "copy " + label + " on " + fs
	kind := crashtest.FileSystems[fs]
	if os.Geteuid() != 0 {
		return []row{{what, "skipped: a loop image needs root", ""}}, nil
	}
	if _, err := exec.LookPath(kind.Mkfs[0]); err != nil {
		return []row{{what, "skipped: " + kind.Mkfs[0] + " not found", ""}}, nil
	}
	kind.MountOptions = "loop" // no hold on write-back: this is no power cut
	dir, err := os.MkdirTemp(b.dir, fs+"-")
	if err != nil {
		return nil, err
	}
	d, err := crashtest.NewDisk(kind, filepath.Join(dir, fs+".img"), filepath.Join(dir, "mnt"), 2*size+512<<20)
	if err != nil {
		return nil, err
	}
	defer func() { err = errors.Join(err, d.Close(), os.RemoveAll(dir)) }()
	return b.copyCompare(d.Dir, size, "cp --reflink=always", "--reflink=always", label+" on "+fs)
}
