package fsroot

import (
	"os"

	"golang.org/x/sys/unix"
)

// renameNeedsCommit reports whether a new file f, once renamed into place
// by Replace, needs its file system's transaction committed besides the
// fsyncs of the file and of its folder: on btrfs. Linux 6.18's btrfs can
// keep, in the log an fsync writes, the folder entry of the temporary name
// the rename replaced, and a power cut then brings that name back as a
// second link of the file (a dump of the log tree after such a cut in
// TestPowerLoss/btrfs/syncfs showed the folder's DIR_INDEX of
// .smswork-21-0.tmp, renamed away and its folder fsynced, inside the range
// the log covers; about one run in four on a loaded machine; fsyncing the
// renamed file again did not prevent it). Once the transaction is
// committed the log holds nothing of it. ext4 and XFS need no more than
// the folder's fsync.
func renameNeedsCommit(f *os.File) bool {
	var st unix.Statfs_t
	return unix.Fstatfs(int(f.Fd()), &st) == nil && st.Type == unix.BTRFS_SUPER_MAGIC
}

// commitFileSystem commits the file system holding name in folder
// (syncfs of the file opened there).
func commitFileSystem(folder *os.Root, name string) error {
	f, err := folder.Open(name)
	if err != nil {
		return err
	}
	err = unix.Syncfs(int(f.Fd()))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
