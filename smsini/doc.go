// Package smsini reads and rewrites the PendingWork queue of SMS.INI (the
// [SMS Work] section described in Microsoft KB 139086) so that only the
// PendingWork value ever changes: every other byte of the file stays as it
// was.
//
// # The INI rules we follow
//
// The file is scanned line by line. A line ends at LF; a CR just before the
// LF belongs to the line ending, so LF, CRLF and a file mixing them are all
// read, and every line keeps its own ending when the file is rewritten. An
// optional UTF-8 byte order mark (EF BB BF) at the start is kept. Bytes that
// are not valid UTF-8 (old ANSI code pages such as Windows-1252) are never
// decoded or re-encoded: they pass through as bytes. A file that starts with
// a UTF-16 byte order mark (FF FE or FE FF), or whose first bytes are text
// interleaved with NUL bytes, is refused: save it as ANSI or UTF-8.
//
// Blanks are space, tab and a CR that does not end a line. After leading
// blanks a line is:
//
//   - blank, if nothing is left;
//   - a comment, if it starts with ';' or '#'. Only whole lines are
//     comments: a ';' or '#' inside a value is data;
//   - a section header, if it starts with '['. The name runs to the last
//     ']' of the line (to the end of the line when there is none) and is
//     trimmed of blanks;
//   - a key line, if it holds '='. The name is the text before the first
//     '=', trimmed of blanks; the value is the rest, trimmed of blanks.
//   - anything else is ignored, as Windows ignores it.
//
// Section and key names are matched case-insensitively. The first section
// named "SMS Work" and the first "PendingWork" key in it win, as they do for
// GetPrivateProfileString; later duplicates are ignored (and kept). A
// PendingWork key line before any section header is an error: it belongs to
// no section, and it would silently be ignored.
//
// # The PendingWork value
//
// The value is a list of entries separated by commas outside double quotes
// (double quotes group a path holding spaces or commas and are kept in the
// entry text). Blanks around each entry are trimmed and empty entries (a,,b,
// a trailing comma) are ignored. DOS's "copy FILE+,," (which touches FILE)
// is the one command with bare commas: when an entry so far reads "copy"
// followed by one token ending in '+', and the next two bytes are ",,",
// those commas belong to the entry. See Split.
//
// A value whose last non-blank byte is a separating comma continues on the
// next line, exactly as the KB article prints it:
//
//	[SMS Work]
//	PendingWork=copy c:\temp\netapi.dll c:\windows\system\netapi.dll /y,
//	del c:\temp\netapi.dll
//
// The next line is taken as value text whatever it holds ('=', ':', ';',
// leading blanks), unless it is blank or a section header, which end the
// value. It continues again if it also ends with a separating comma. A
// double quote never spans lines.
//
// Malformed input is reported as a *SyntaxError naming file, line and
// column: a PendingWork key outside any section, an unterminated double
// quote, a control byte (anything below 0x20 except TAB, and DEL) in the
// value, a NUL byte anywhere (binary data), a UTF-8 byte order mark
// anywhere but at the start, a line break inside an entry, more than MaxEntries entries, an
// entry over MaxEntryLen bytes, a line over MaxLineLen bytes, a file over
// MaxFileSize bytes, UTF-16. Columns are 1-based byte offsets in the line;
// on the first line they are counted after the byte order mark.
//
// # Rewriting
//
// File.Render replaces only the value span: from the first non-blank byte
// after '=' to the last non-blank byte of the value's last line. The new
// value is one line, Join(entries); an empty queue leaves "PendingWork="
// with an empty value. A missing key is inserted on the line after the
// [SMS Work] header; a missing section is appended at the end of the file.
// Inserted lines use the file's dominant line ending (CRLF when the file
// has at least as many CRLF as bare LF endings, LF when it has more; CRLF
// for an empty or new file, LF for a non-empty file without line ending).
//
// Write and Append replace the file through fsroot.WriteFile, the
// project's one atomic, durable write (it keeps mode, owner and the Windows
// Hidden/System/ReadOnly attributes), after checking that the bytes to be
// written parse back to exactly the entries given. Append holds the lock
// file LockPath(path) while it reads, renders and writes, so concurrent
// appenders never lose an entry.
//
// # Why a hand-written reader
//
// A general INI library parses into a tree and writes it back in its own
// layout, losing comments, spacing, key case, line endings or undecodable
// bytes, and it cannot say where in the file a value starts. The reader here
// is hand-written to keep byte offsets. gopkg.in/ini.v1 is used only in the
// tests, as an oracle: on files without continuation lines both must agree
// on the PendingWork value.
package smsini
