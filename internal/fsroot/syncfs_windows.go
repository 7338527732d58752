package fsroot

import (
	"errors"
	"fmt"
	"strings"

	"golang.org/x/sys/windows"
)

// syncFileSystems flushes each distinct volume of dirs with
// FlushFileBuffers on a handle to the volume (\\?\Volume{GUID} or \\.\C:),
// which writes every file's data and metadata of the volume and flushes
// the disk's cache. With no folder, every fixed drive is flushed.
//
// Opening a volume for writing needs administrator rights: when it is
// refused (access denied, or privilege not held), the error wraps
// ErrCannotFlush and the other volumes are still flushed. So does a
// folder not on a local volume (a network share: its server decides) and
// a volume whose file system does not implement the flush
// (ERROR_INVALID_FUNCTION, as Wine answers). A folder that does not exist
// still names its volume (GetVolumePathName walks up to it).
func syncFileSystems(dirs []string) error {
	if len(dirs) == 0 {
		dirs = fixedDrives()
	}
	seen := map[string]bool{}
	var errs []error
	for _, dir := range dirs {
		vol, err := volumeOf(dir)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if seen[strings.ToUpper(vol)] {
			continue
		}
		seen[strings.ToUpper(vol)] = true
		if err := flushVolume(vol); err != nil {
			errs = append(errs, fmt.Errorf("flush the volume of %s: %w", dir, err))
		}
	}
	return errors.Join(errs...)
}

// volumeOf names the volume device holding dir, as CreateFile opens it:
// \\?\Volume{GUID} when the volume has a name, else \\.\C: for a drive.
func volumeOf(dir string) (string, error) {
	p, err := windows.UTF16PtrFromString(dir)
	if err != nil {
		return "", fmt.Errorf("folder %q: %w", dir, err)
	}
	buf := make([]uint16, windows.MAX_LONG_PATH)
	if err := windows.GetVolumePathName(p, &buf[0], uint32(len(buf))); err != nil {
		return "", fmt.Errorf("volume of %s: %w", dir, err)
	}
	mount := windows.UTF16ToString(buf) // C:\ or C:\mnt\vol\ or \\server\share\
	name := make([]uint16, 64)
	if err := windows.GetVolumeNameForVolumeMountPoint(&buf[0], &name[0], uint32(len(name))); err == nil {
		return strings.TrimSuffix(windows.UTF16ToString(name), `\`), nil
	}
	if len(mount) >= 2 && mount[1] == ':' {
		return `\\.\` + mount[:2], nil
	}
	return "", fmt.Errorf("folder %s is on %s, not a local volume: %w", dir, mount, ErrCannotFlush)
}

// flushVolume opens vol (GENERIC_READ|GENERIC_WRITE, shared for reading
// and writing) and calls FlushFileBuffers on it.
func flushVolume(vol string) error {
	p, err := windows.UTF16PtrFromString(vol)
	if err != nil {
		return err
	}
	h, err := windows.CreateFile(p, windows.GENERIC_READ|windows.GENERIC_WRITE,
		windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, windows.OPEN_EXISTING, 0, 0)
	if err != nil {
		if errors.Is(err, windows.ERROR_ACCESS_DENIED) || errors.Is(err, windows.ERROR_PRIVILEGE_NOT_HELD) {
			return fmt.Errorf("open %s: %w (%w)", vol, ErrCannotFlush, err)
		}
		return fmt.Errorf("open %s: %w", vol, err)
	}
	err = windows.FlushFileBuffers(h)
	if cerr := windows.CloseHandle(h); err == nil && cerr != nil {
		err = cerr
	}
	if errors.Is(err, windows.ERROR_INVALID_FUNCTION) {
		return fmt.Errorf("FlushFileBuffers %s: %w (%w)", vol, ErrCannotFlush, err)
	}
	if err != nil {
		return fmt.Errorf("FlushFileBuffers %s: %w", vol, err)
	}
	return nil
}

// fixedDrives lists the roots (C:\) of the fixed drives.
func fixedDrives() []string {
	mask, err := windows.GetLogicalDrives()
	if err != nil {
		return nil
	}
	var roots []string
	for i := 0; i < 26; i++ {
		if mask&(1<<i) == 0 {
			continue
		}
		root := string(rune('A'+i)) + `:\`
		p, _ := windows.UTF16PtrFromString(root)
		if windows.GetDriveType(p) == windows.DRIVE_FIXED {
			roots = append(roots, root)
		}
	}
	return roots
}
