package fsroot

import (
	"errors"
	"os"
)

// foldersRename is false: Windows has no renameat; a rename goes through
// the drive's root.
const foldersRename = false

func renameat(*os.File, string, *os.File, string) error {
	return errors.New("renameat: not on Windows")
}
