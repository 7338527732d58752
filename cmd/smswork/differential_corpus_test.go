package main

// diffCase is one entry of the differential corpus, run on a copy of
// diffTree (plus its own files).
type diffCase struct {
	name  string
	entry string
	// more adds files to the tree of this case (as diffTree writes them).
	more map[string]string
	// differs names the row of the README's table of deliberate
	// differences this entry shows: the trees must then differ.
	differs string
	// exit is smswork's expected exit status (not checked for a case
	// that differs: the row's own test says what smswork does).
	exit int
	// ntfs puts smswork's tree on NTFS (ntfs-3g), with 8.3 short names.
	ntfs bool
}

func (c diffCase) tree() map[string]string {
	out := map[string]string{}
	for k, v := range diffTree {
		out[k] = v
	}
	for k, v := range c.more {
		out[k] = v
	}
	return out
}

// readOnly lists the files made read-only: none on NTFS, where ntfs-3g
// makes modes up from its mount options.
func (c diffCase) readOnly() []string {
	if c.ntfs {
		return nil
	}
	return diffReadOnly
}

// diffShortNames are the 8.3 names NTFS keeps for the long names of
// diffTree, as Windows makes them (PROGRA~1 is taken by a real folder).
var diffShortNames = map[string]string{
	"Program Files":         "PROGRA~2",
	"Program Files/App One": "APPONE~1",
}

// diffTree is the tree every case starts from: names in several cases,
// text files with a Ctrl-Z inside, folders with and without subfolders,
// read-only files, names with spaces, commas and a tilde.
var diffTree = map[string]string{
	"t/x.dll":                             "x dll\n",
	"t/NETAPI.DLL":                        "new netapi\n",
	"t/a.log":                             "a log\n",
	"t/b.LOG":                             "b log\n",
	"t/c.txt":                             "c txt\n",
	"t/a1.txt":                            "a1\n",
	"t/a22.txt":                           "a22\n",
	"t/a.cfg":                             "a\x1aA",
	"t/b.cfg":                             "bb\x1aB",
	"t/r.txt":                             "read-only\n",
	"t/dirA/in.txt":                       "in A\n",
	"t/dirC/c1.txt":                       "c1\n",
	"t/dirC/c2.txt":                       "c2\n",
	"t/dirC/subC/s.txt":                   "s\n",
	"t/dirD/d1.txt":                       "d1\n",
	"t/dirD/d2.TXT":                       "d2\n",
	"t/dirD/sub/d3.txt":                   "d3\n",
	"t/empty/":                            "",
	"t/tree/top.txt":                      "top\n",
	"t/tree/x/y/z.txt":                    "z\n",
	"w/y.dll":                             "y\n",
	"w/old.dll":                           "old\n",
	"w/ro.dll":                            "ro\n",
	"w/f.txt":                             "f\n",
	"e/":                                  "",
	"windows/system/netapi.dll":           "old netapi\n",
	"Program Files/App One/app.dll":       "app\n",
	"a b/x,y.txt":                         "comma\n",
	"PROGRA~1/z.dll":                      "tilde\n",
	"long name folder/Some Long Name.txt": "long\n",
}

var diffReadOnly = []string{"t/r.txt", "w/ro.dll"}

// differentialCorpus lists every verb and switch smswork takes, with
// wildcards, trailing backslashes, folders, names in another case than
// on disk, existing and missing destinations, read-only files, quoted
// names with spaces and commas, and 8.3 names.
func differentialCorpus() []diffCase {
	cs := []diffCase{
		// copy
		{name: "copy to a new file", entry: `copy s:\t\x.dll s:\w\x.dll`},
		{name: "copy over a file /y", entry: `copy s:\t\x.dll s:\w\old.dll /y`},
		{name: "copy over a file", entry: `copy s:\t\x.dll s:\w\old.dll`},
		{name: "copy into a folder", entry: `copy s:\t\x.dll s:\w`},
		{name: "copy into a folder with backslash", entry: `copy s:\t\x.dll s:\w\`},
		{name: "copy into a missing folder", entry: `copy s:\t\x.dll s:\nofolder\`, exit: 1},
		{name: "copy into a file written as a folder", entry: `copy s:\t\x.dll s:\w\f.txt\`, exit: 1},
		{name: "copy star wildcard", entry: `copy s:\t\*.log s:\w`},
		{name: "copy question wildcard", entry: `copy s:\t\a??.txt s:\e`},
		{name: "copy every file", entry: `copy s:\t\*.* s:\e`},
		{name: "copy names in other case", entry: `copy S:\T\X.DLL s:\W\Y.DLL`},
		{name: "copy new name keeps its case", entry: `copy s:\t\x.dll s:\w\NEW.DLL`},
		{name: "copy verify", entry: `copy /v s:\t\x.dll s:\w\v.dll`},
		{name: "copy binary", entry: `copy /b s:\t\a.cfg s:\w\a.cfg`},
		{name: "copy text", entry: `copy /a s:\t\a.cfg s:\w\a.cfg`},
		{name: "copy text source", entry: `copy s:\t\a.cfg /a s:\w\a.cfg`},
		{name: "copy text destination", entry: `copy s:\t\a.cfg s:\w\a.cfg /a`, differs: "D6"},
		{name: "copy binary destination", entry: `copy /a s:\t\a.cfg s:\w\a.cfg /b`},
		{name: "join two", entry: `copy s:\t\a.cfg+s:\t\b.cfg s:\w\ab.cfg`},
		{name: "join spaced", entry: `copy s:\t\a.cfg + s:\t\b.cfg s:\w\ab.cfg`},
		{name: "join binary", entry: `copy /b s:\t\a.cfg+s:\t\b.cfg s:\w\ab.cfg`},
		{name: "join text then binary", entry: `copy /a s:\t\a.cfg + s:\t\b.cfg /b s:\w\ab.cfg`},
		{name: "join binary into text", entry: `copy /b s:\t\a.cfg + s:\t\b.cfg s:\w\ab.cfg /a`},
		{name: "join a wildcard", entry: `copy s:\t\*.cfg s:\w\all.cfg`},
		{name: "join a wildcard into the root", entry: `copy s:\t\*.cfg s:\all.cfg`},
		{name: "join a wildcard and a file", entry: `copy s:\t\*.cfg+s:\t\c.txt s:\w\all.cfg`},
		{name: "join over an existing file", entry: `copy s:\t\a.cfg+s:\t\b.cfg s:\w\f.txt`},
		{name: "copy a folder", entry: `copy s:\t\dirC s:\w`},
		{name: "copy a folder into a file", entry: `copy s:\t\dirC s:\e\all.txt`, differs: "D3"},
		{name: "copy over a read-only file", entry: `copy s:\t\x.dll s:\w\ro.dll`, differs: "D4"},
		{name: "copy a read-only file", entry: `copy s:\t\r.txt s:\w\r.txt`},
		{name: "copy quoted names with spaces and commas", entry: `copy "s:\a b\x,y.txt" "s:\w\new, name.txt"`},
		{name: "copy from a folder with spaces", entry: `copy "s:\Program Files\App One\app.dll" s:\w`},
		{name: "copy a tilde name", entry: `copy s:\progra~1\z.dll s:\w`},
		{name: "copy a missing file", entry: `copy s:\t\missing.dll s:\w`, exit: 1},
		{name: "copy a wildcard matching nothing", entry: `copy s:\t\*.none s:\w`, exit: 1},
		{name: "copy /-y onto a file", entry: `copy /-y s:\t\x.dll s:\w\old.dll`, exit: 1},
		{name: "copy /-y to a new file", entry: `copy /-y s:\t\x.dll s:\w\fresh.dll`},
		{name: "touch", entry: `copy s:\t\x.dll+,,`},
		{name: "copy onto itself", entry: `copy s:\t\x.dll s:\t\x.dll`, exit: 1},
		{name: "copy into the root", entry: `copy s:\t\x.dll s:\`},
		{name: "copy the KB entry", entry: `copy s:\t\netapi.dll s:\windows\system\netapi.dll /y`},
		{name: "copy an 8.3 name", entry: `copy s:\progra~2\appone~1\app.dll s:\w`, differs: "D8", ntfs: true},

		// del
		{name: "del a file", entry: `del s:\t\x.dll`},
		{name: "erase a wildcard", entry: `erase s:\t\*.log`},
		{name: "del a folder /q", entry: `del /q s:\t\dirD`},
		{name: "del a folder", entry: `del s:\t\dirD`, differs: "D2"},
		{name: "del a read-only file", entry: `del s:\t\r.txt`, exit: 1},
		{name: "del /f a read-only file", entry: `del /f s:\t\r.txt`},
		{name: "del a wildcard with a read-only file", entry: `del s:\t\*.txt`, exit: 1},
		{name: "del a missing file", entry: `del s:\t\none.dll`},
		{name: "del in other case", entry: `del S:\T\X.DLL`},
		{name: "del everything /q", entry: `del /q s:\t\*.*`, exit: 1},
		{name: "del everything /q /f", entry: `del /q /f s:\t\*.*`},
		{name: "del everything", entry: `del s:\t\*.*`, differs: "D2"},
		{name: "del a quoted name", entry: `del "s:\a b\x,y.txt"`},

		// move
		{name: "move to a new name", entry: `move s:\t\x.dll s:\w\moved.dll`},
		{name: "move into a folder", entry: `move s:\t\x.dll s:\w`},
		{name: "move over a file", entry: `move s:\t\x.dll s:\w\old.dll`},
		{name: "move a wildcard", entry: `move s:\t\*.log s:\w`},
		{name: "move a folder into a folder", entry: `move s:\t\dirA s:\w`},
		{name: "move a folder to a new name", entry: `move s:\t\dirA s:\t\dirZ`},
		{name: "move into a missing folder", entry: `move s:\t\x.dll s:\nofolder\`, exit: 1},
		{name: "move over a read-only file", entry: `move s:\t\x.dll s:\w\ro.dll`, differs: "D4"},
		{name: "move quoted names", entry: `move "s:\a b\x,y.txt" "s:\w\moved, too.txt"`},
		{name: "move in other case", entry: `move S:\T\C.TXT s:\W\`},

		// ren
		{name: "ren a file", entry: `ren s:\t\c.txt d.txt`},
		{name: "rename a file", entry: `rename s:\t\x.dll z.dll`},
		{name: "ren an extension", entry: `ren s:\t\*.log *.bak`},
		{name: "ren a wildcard extension", entry: `ren s:\t\*.cfg *.bak`},
		{name: "ren a name prefix", entry: `ren s:\t\a*.txt b*.txt`, differs: "D7"},
		{name: "ren question marks", entry: `ren s:\t\a.log ???.x`, differs: "D7"},
		{name: "ren dropping the extension", entry: `ren s:\t\a*.txt *.`},
		{name: "ren a folder", entry: `ren s:\t\dirA dirB`},
		{name: "ren case only", entry: `ren s:\w\y.dll Y.DLL`, differs: "D5"},
		{name: "ren to a path", entry: `ren s:\t\c.txt s:\t\d.txt`, exit: 2},
		{name: "ren onto an existing name", entry: `ren s:\t\c.txt x.dll`, exit: 1},
		{name: "ren a read-only file", entry: `ren s:\t\r.txt r2.txt`},
		{name: "ren quoted names", entry: `ren "s:\a b\x,y.txt" "z, w.txt"`},
		{name: "ren in other case", entry: `ren S:\T\C.TXT e.txt`},

		// md, rd
		{name: "md", entry: `md s:\newdir`},
		{name: "mkdir nested", entry: `mkdir s:\new\deep\er`},
		{name: "md existing", entry: `md s:\t`},
		{name: "md quoted", entry: `md "s:\new folder, with comma"`},
		{name: "rd empty", entry: `rd s:\t\empty`},
		{name: "rmdir not empty", entry: `rmdir s:\t\dirA`, exit: 1},
		{name: "rd /s /q", entry: `rd /s /q s:\t\tree`},
		{name: "rd missing", entry: `rd s:\t\none`},
		{name: "rd /s /q in other case", entry: `RD /S /Q S:\T\DIRC`},
		{name: "rd a long name", entry: `rd /s /q "s:\long name folder"`},
	}
	return cs
}
