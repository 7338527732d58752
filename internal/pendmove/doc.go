// Package pendmove reads and registers what Windows' Session Manager (smss)
// does at the next boot: the renames and deletes of the REG_MULTI_SZ value
// HKLM\System\CurrentControlSet\Control\Session Manager\
// PendingFileRenameOperations, which MoveFileEx with
// MOVEFILE_DELAY_UNTIL_REBOOT appends to.
//
// # The value's format
//
// The value is a list of UTF-16LE strings, each ended by a NUL, the list
// ended by one more NUL. The strings come in pairs, performed in order at
// boot: a source, then a target. Each is an NT path, usually written with
// the \??\ prefix (\??\C:\Windows\x.dll). A target starting with `!` means
// "replace an existing file" (MOVEFILE_REPLACE_EXISTING); an empty target
// means "delete the source". Some installers write a source as `*1` followed
// by the path (a marker smss reads as flags); Sysinternals PendMoves shows
// it with the marker stripped, and so does Parse, keeping the marker.
//
// Parse is pure Go and reads any bytes: a value cut short, an odd number of
// strings, a missing last NUL. System (Windows only) registers pairs with
// MoveFileExW and reads the value with golang.org/x/sys/windows/registry.
package pendmove
