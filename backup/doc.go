// Package backup keeps the prior content of the files operations overwrite
// or remove, in a folder beside the journal, so that an operation, and a
// whole batch in reverse order, can be undone.
//
// # What the journal records
//
// Before an operation touches anything, Plan fills its intent's Backups:
// the prior state of every path the operation changes, in the order it
// changes them (see ops.Backup and ops.PriorKind). The intent marker, and so
// the journal, holds that list; the backup folder only holds the bytes of
// the prior regular files. Restore puts the paths back in reverse order.
//
// # The backup folder
//
// The folder (0700) holds one file per PriorFile backup, named by Name:
//
//	<seq>-<attempt>-<i>
//
// the operation's journal sequence number, the attempt of the operation
// (an operation prepared again after a crash or a retry plans again) and the
// backup's index in Intent.Backups, all in decimal. The file is a hard link
// to the prior file where the file system allows one (same file system, and
// links allowed), else a durable copy with the prior file's mode and
// modification time. A hard link costs no space while the prior file is
// also elsewhere, but it is the same file: a program that later writes into
// that file in place (rather than replacing it) changes the backup too.
//
// An interrupted copy leaves `.smswork-<name>.tmp` in the folder; Capture
// and Remove remove it. Restore writes `.smswork-undo-<name>.tmp` in the
// folder of the path it puts back and renames it over the path; a leftover
// is removed when Restore runs again. Both names start with
// fsroot.TempPrefix, which wildcards skip.
//
// # Durability
//
// Capture syncs the folder once, after every backup file of the intent is
// in it: the caller journals the intent first, then captures, then runs the
// operation. Restore makes each change durable (the file, then its folder)
// before the next, and may be repeated after a crash at any point.
package backup
