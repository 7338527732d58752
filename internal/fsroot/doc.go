// Package durable holds the few file-system primitives every other package
// uses to make a change survive a power loss: syncing a folder, and the one
// atomic-replace function of the project (temporary file in the same folder,
// fsync, rename over the target, fsync of the folder).
//
// A rename is not durable until the folder that holds it is synced; a file's
// bytes are not durable until the file is synced. Every function here syncs
// both, in that order, and says so in its doc comment.
package fsroot
