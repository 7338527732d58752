package crashtest

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// fsIocShutdown is ext4's FS_IOC_SHUTDOWN, _IOR('X', 125, __u32), and
// goingNoLogFlush its EXT4_GOING_FLAGS_NOLOGFLUSH flag: the file system
// stops at once and nothing its journal has not committed reaches the
// disk, as when the power fails.
const (
	fsIocShutdown   = 0x8004587D
	goingNoLogFlush = 2
)

// MountOptions are those of a Disk's ext4. noauto_da_alloc turns off
// ext4's habit of flushing a file's data when it is renamed over another
// (a program must not rely on it); commit=600 keeps the periodic journal
// commit from saving what the program never synced during a test.
const MountOptions = "loop,noauto_da_alloc,commit=600"

// Disk is an ext4 file system in an image file, loop-mounted at Dir, whose
// power can be cut.
type Disk struct {
	Image string
	Dir   string
}

// NewDisk creates an image of size bytes at image, formats it as ext4 and
// mounts it at dir. It needs root and loop devices.
func NewDisk(image, dir string, size int64) (*Disk, error) {
	f, err := os.Create(image)
	if err != nil {
		return nil, err
	}
	err = f.Truncate(size)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	if out, err := exec.Command("mkfs.ext4", "-q", "-F", image).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("mkfs.ext4 %s: %v: %s", image, err, out)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	d := &Disk{Image: image, Dir: dir}
	return d, d.mount()
}

func (d *Disk) mount() error {
	if out, err := exec.Command("mount", "-o", MountOptions, d.Image, d.Dir).CombinedOutput(); err != nil {
		return fmt.Errorf("mount %s on %s: %v: %s", d.Image, d.Dir, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// Sync makes everything written to the disk so far durable.
func (d *Disk) Sync() error {
	f, err := os.Open(d.Dir)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	return unix.Syncfs(int(f.Fd()))
}

// CutPower drops everything the file system has not made durable, as a
// power failure would, then unmounts and mounts it again (ext4 replays its
// journal). Every process using the disk must have ended.
func (d *Disk) CutPower() error {
	// No process is started while the folder is open here: a child
	// inherits every descriptor until it execs, and would keep the file
	// system busy at the unmount (tests that cut the power of several
	// disks in parallel).
	syscall.ForkLock.RLock()
	f, err := os.Open(d.Dir)
	if err != nil {
		syscall.ForkLock.RUnlock()
		return err
	}
	err = unix.IoctlSetPointerInt(int(f.Fd()), fsIocShutdown, goingNoLogFlush)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return fmt.Errorf("FS_IOC_SHUTDOWN %s: %w", d.Dir, err)
	}
	if err := unix.Unmount(d.Dir, 0); err != nil {
		return fmt.Errorf("unmount %s: %w", d.Dir, err)
	}
	return d.mount()
}

// Close unmounts the disk and removes its image.
func (d *Disk) Close() error {
	err := unix.Unmount(d.Dir, 0)
	if errors.Is(err, unix.EINVAL) { // not mounted
		err = nil
	}
	return errors.Join(err, os.Remove(d.Image))
}
