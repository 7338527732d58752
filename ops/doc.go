// Package ops is the command language of PendingWork: it parses one entry
// into a typed operation (copy, del, move, md, rd, run), prints an operation
// back as its canonical entry, maps paths onto the host through drive
// mappings, and executes operations so that each one, repeated after a
// crash from the intent it recorded, reaches the same file state once.
//
// Parsing is pure; execution goes through os.Root, so no operation can leave
// its drive's root through ".." or a symbolic link.
package ops
