package fsroot

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// syncFileSystems calls syncfs(2) once per file system (st_dev) of dirs;
// with none, sync(2), which on Linux waits for the write-back.
func syncFileSystems(dirs []string) error {
	if len(dirs) == 0 {
		unix.Sync()
		return nil
	}
	seen := map[uint64]bool{}
	var errs []error
	for _, dir := range dirs {
		fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
		if err != nil {
			errs = append(errs, fmt.Errorf("open folder %s to sync its file system: %w", dir, err))
			continue
		}
		var st unix.Stat_t
		err = unix.Fstat(fd, &st)
		if err == nil && !seen[st.Dev] {
			seen[st.Dev] = true
			if err = unix.Syncfs(fd); err != nil {
				err = fmt.Errorf("syncfs of the file system of %s: %w", dir, err)
			}
		} else if err != nil {
			err = fmt.Errorf("stat folder %s: %w", dir, err)
		}
		if cerr := unix.Close(fd); err == nil && cerr != nil {
			err = fmt.Errorf("close folder %s: %w", dir, cerr)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
