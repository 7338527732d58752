// Package perms refuses to trust a file that someone other than its owner
// and the administrator can change, the way sshd's StrictModes does: SMS.INI
// is a list of commands run as root (or SYSTEM) at boot, and the journal
// decides what recovery does, so whoever can write either of them, or
// replace them, runs code with those rights.
//
// # The rules on Unix
//
//   - The file (SMS.INI, the journal), when it exists, is owned by root or by
//     the user running smswork, and is neither group- nor world-writable.
//   - The folder that holds it is owned by root or that user and is neither
//     group- nor world-writable. A sticky world-writable folder such as /tmp
//     is refused too: the sticky bit stops others from removing or renaming
//     what they do not own, but not from creating. Anyone could create
//     SMS.INI there while it is missing (a missing SMS.INI is an empty queue,
//     not an error, so the next boot would run theirs), plant the journal or
//     the lock file, or a symbolic link named like the temporary file of a
//     rewrite, between our check and our use.
//   - Every folder above it, up to "/", is owned by root or that user, and is
//     not group- or world-writable unless it is sticky: a sticky /tmp above
//     a private folder of ours is fine, since nobody else can rename or
//     remove that folder. Without this, whoever can write /var could rename
//     /var/lib away and put their own SMS.INI in its place.
//   - Symbolic links on the way are followed: the links themselves must be
//     owned by root or that user, and the folders of the real file are
//     checked as well as those of the path given.
//
// A file that does not exist yet (the journal before the first run) is
// fine: its folder is checked.
//
// # The rules on Windows
//
// Go cannot read Unix modes there; the file's security descriptor is read
// with GetNamedSecurityInfo. The file and its folder must be owned by
// SYSTEM, Administrators, TrustedInstaller or the user running smswork, and
// no allow entry of their DACL may give Everyone, Users or Authenticated
// Users the right to change them: for a file, write or append data, write
// its DACL or owner, delete it, GENERIC_WRITE or GENERIC_ALL; for a folder,
// create files in it, delete what it holds, write its DACL or owner, delete
// it, GENERIC_WRITE or GENERIC_ALL. Creating subfolders (which Authenticated
// Users may do in C:\ by default) is allowed: a folder cannot be read as
// SMS.INI. A NULL DACL, which grants everyone everything, is refused.
// Folders above are not checked. Deny entries are not weighed against
// allow entries: an allow entry of that kind is refused even if a deny
// entry before it would win. A descriptor that cannot be read is an error.
package perms
