// Package fsroot is the project's file access, and the only place that
// makes anything durable.
//
// Drives maps the drives of DOS paths onto host folders, each opened as an
// os.Root so that no access through it leaves the drive through ".." or a
// symbolic link; Resolve finds the real name of a path written in another
// case (DOS names are case-insensitive) through a folder index kept while
// the folder's time says it has not changed; ExpandWildcard lists a
// wildcard's matches.
//
// Every fsync of the product is here (bbolt's own aside): Replace, the one
// atomic replace of a file inside a root (a temporary file, fsynced, renamed
// over the target, its folder fsynced), with WriteNew its first half and
// WriteFile its form for a host path; SyncDir, SyncRootDir and
// Drives.SyncFolder for folders; SyncFile and SyncPath for a file's
// metadata. A rename is not durable until the folder that holds it is
// synced; a file's bytes are not durable until the file is synced. Every
// function here says which it syncs, in that order. The Windows and Unix
// halves live in _windows.go and _unix.go files behind small functions.
package fsroot
