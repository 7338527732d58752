//go:build windows

// Command holder holds files open the way a running program holds a loaded
// DLL (GENERIC_READ, FILE_SHARE_READ only), for the Wine tests of the
// hand-off to Session Manager: it prints "held" once every file named on
// its command line is open, and lets go of them when its standard input
// ends.
package main

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/windows"
)

func main() {
	for _, p := range os.Args[1:] {
		u, err := windows.UTF16PtrFromString(p)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
		if _, err := windows.CreateFile(u, windows.GENERIC_READ, windows.FILE_SHARE_READ, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0); err != nil {
			fmt.Fprintf(os.Stderr, "hold %s: %v\n", p, err)
			os.Exit(2)
		}
	}
	fmt.Println("held")
	_, _ = io.Copy(io.Discard, os.Stdin)
}
