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

// fsIocShutdown is FS_IOC_SHUTDOWN, _IOR('X', 125, __u32): ext4's, and
// XFS's XFS_IOC_GOINGDOWN, which is the same number; goingNoLogFlush is
// their NOLOGFLUSH flag (EXT4_GOING_FLAGS_NOLOGFLUSH,
// XFS_FSOP_GOING_FLAGS_NOLOGFLUSH): the file system stops at once and
// nothing its journal has not committed reaches the disk, as when the
// power fails. btrfs has no such ioctl on Linux 6.18 (ENOTTY).
const (
	fsIocShutdown   = 0x8004587D
	goingNoLogFlush = 2
)

// CutMethod is how a Disk's power is cut.
type CutMethod string

const (
	// CutShutdown is the file system's shutdown ioctl with NOLOGFLUSH,
	// then an unmount and a mount (which replays the journal).
	CutShutdown CutMethod = "shutdown ioctl"
	// CutImageCopy copies the image file right after the crash, with
	// periodic write-back held off (vm.dirty_writeback_centisecs=0) and
	// the periodic commit pushed out (commit=600): the copy holds what the
	// file system made durable, and only that. The original is unmounted
	// and replaced by the copy, which is checked and mounted.
	CutImageCopy CutMethod = "image copy"
)

// FileSystem is how a Disk of one kind of file system is made, mounted
// and cut.
type FileSystem struct {
	Name string
	// MinSize is the smallest image mkfs accepts, rounded up.
	MinSize int64
	Mkfs    []string // the command, the image path appended
	// MountOptions are given to mount -o.
	MountOptions string
	Cut          CutMethod
	// Check, when set, checks an image after a power cut, before it is
	// mounted (the image path appended); it must exit 0.
	Check []string
}

// FileSystems are the file systems the power-loss tests run on.
//
// ext4: noauto_da_alloc turns off ext4's habit of flushing a file's data
// when it is renamed over another (a program must not rely on it);
// commit=600 keeps the periodic journal commit from saving what the
// program never synced during a test. XFS has neither option (its log is
// forced by any fsync, as ext4's journal is). btrfs has commit=600 and no
// shutdown ioctl: its power is cut by an image copy.
var FileSystems = map[string]FileSystem{
	"ext4": {Name: "ext4", MinSize: 16 << 20, Mkfs: []string{"mkfs.ext4", "-q", "-F"},
		MountOptions: "loop,noauto_da_alloc,commit=600", Cut: CutShutdown},
	"xfs": {Name: "xfs", MinSize: 300 << 20, Mkfs: []string{"mkfs.xfs", "-q", "-f"},
		MountOptions: "loop", Cut: CutShutdown},
	"btrfs": {Name: "btrfs", MinSize: 114 << 20, Mkfs: []string{"mkfs.btrfs", "-q", "-f"},
		MountOptions: "loop,commit=600,nodiscard", Cut: CutImageCopy,
		Check: []string{"btrfs", "check", "--readonly"}},
}

// Disk is a file system in an image file, loop-mounted at Dir, whose
// power can be cut.
type Disk struct {
	FS    FileSystem
	Image string
	Dir   string
	// release gives back the hold on periodic write-back (image copy).
	release func() error
}

// NewDisk creates an image of size bytes at image (at least fs.MinSize),
// formats it with fs and mounts it at dir. It needs root, loop devices and
// the file system's mkfs. A Disk cut by image copy holds periodic
// write-back off until Close.
func NewDisk(fs FileSystem, image, dir string, size int64) (*Disk, error) {
	if _, err := exec.LookPath(fs.Mkfs[0]); err != nil {
		return nil, fmt.Errorf("%s: %w", fs.Name, err)
	}
	f, err := os.Create(image)
	if err != nil {
		return nil, err
	}
	err = f.Truncate(max(size, fs.MinSize))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return nil, err
	}
	mkfs := append(append([]string{}, fs.Mkfs...), image)
	if out, err := exec.Command(mkfs[0], mkfs[1:]...).CombinedOutput(); err != nil {
		_ = os.Remove(image)
		return nil, fmt.Errorf("%s: %v: %s", strings.Join(mkfs, " "), err, out)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	d := &Disk{FS: fs, Image: image, Dir: dir}
	if fs.Cut == CutImageCopy {
		if d.release, err = holdWriteback(); err != nil {
			_ = os.Remove(image)
			return nil, err
		}
	}
	if err := d.mount(); err != nil {
		return nil, errors.Join(err, d.Close())
	}
	return d, nil
}

func (d *Disk) mount() error {
	if out, err := exec.Command("mount", "-t", d.FS.Name, "-o", d.FS.MountOptions, d.Image, d.Dir).CombinedOutput(); err != nil {
		return fmt.Errorf("mount %s %s on %s: %v: %s", d.FS.Name, d.Image, d.Dir, err, strings.TrimSpace(string(out)))
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
// power failure would, and mounts what is left at Dir again (the file
// system replays its journal or log). Every process using the disk must
// have ended.
func (d *Disk) CutPower() error {
	if d.FS.Cut == CutImageCopy {
		return d.cutByCopy()
	}
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
		return fmt.Errorf("%s shutdown ioctl on %s: %w", d.FS.Name, d.Dir, err)
	}
	if err := unix.Unmount(d.Dir, 0); err != nil {
		return fmt.Errorf("unmount %s: %w", d.Dir, err)
	}
	return d.mount()
}

// cutByCopy copies the image as it is (what the file system has written
// to its device), unmounts the original (whose final writes go to the
// image being replaced), puts the copy in its place, checks it and mounts
// it.
func (d *Disk) cutByCopy() error {
	cut := d.Image + ".cut"
	if out, err := exec.Command("cp", "--sparse=always", d.Image, cut).CombinedOutput(); err != nil {
		return fmt.Errorf("copy %s at the power cut: %v: %s", d.Image, err, out)
	}
	if err := unix.Unmount(d.Dir, 0); err != nil {
		_ = os.Remove(cut)
		return fmt.Errorf("unmount %s: %w", d.Dir, err)
	}
	if err := os.Rename(cut, d.Image); err != nil {
		return err
	}
	if len(d.FS.Check) > 0 {
		check := append(append([]string{}, d.FS.Check...), d.Image)
		if out, err := exec.Command(check[0], check[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("after the power cut, %s: %v: %s", strings.Join(check, " "), err, out)
		}
	}
	return d.mount()
}

// Close unmounts the disk, removes its image and gives back its hold on
// write-back. A disk still busy (a process of a failed test, a program
// of a run operation still running) is detached lazily: the kernel
// unmounts it when the last user is gone, and the test that failed says
// why, rather than a loop device and a mount left behind for every test
// after it.
func (d *Disk) Close() error {
	err := unix.Unmount(d.Dir, 0)
	switch {
	case errors.Is(err, unix.EINVAL): // not mounted
		err = nil
	case errors.Is(err, unix.EBUSY):
		if lerr := unix.Unmount(d.Dir, unix.MNT_DETACH); lerr != nil {
			err = fmt.Errorf("unmount %s: %w; lazily: %w", d.Dir, err, lerr)
		} else {
			err = nil
		}
	case err != nil:
		err = fmt.Errorf("unmount %s: %w", d.Dir, err)
	}
	err = errors.Join(err, os.Remove(d.Image))
	if d.release != nil {
		err = errors.Join(err, d.release())
		d.release = nil
	}
	return err
}
