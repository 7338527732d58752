package main

import (
	"testing"
)

// TestUndo_RenAndJoin: a batch of renames (wildcards, a folder, case only)
// and concatenations (into a new file, over a file, appended to its first
// source) is undone back to the tree it started from.
func TestUndo_RenAndJoin(t *testing.T) {
	entries := []string{
		`ren c:\t\*.log *.bak`,
		`ren c:\t\dirA dirB`,
		`ren c:\w\y.dll Y.DLL`,
		`copy c:\t\a.cfg+c:\t\b.cfg c:\w\new.cfg`,
		`copy c:\t\*.cfg c:\w\old.cfg`,
		`copy /b c:\t\a.cfg+c:\t\b.cfg c:\t\a.cfg`,
		`del c:\t\dirC`,
	}
	b := newBox(t, txIni(entries...), map[string]string{
		"t/a.log": "a", "t/b.log": "b", "t/dirA/in.txt": "in", "w/y.dll": "y", "w/old.cfg": "old",
		"t/a.cfg": "a\x1aA", "t/b.cfg": "bb\x1aB", "t/dirC/c.txt": "c", "t/dirC/sub/s.txt": "s",
	})
	before := treeOf(t, b.c)
	if code, out, stderr := b.smswork("run"); code != exitOK {
		t.Fatalf("run: exit %d\n%s%s", code, out, stderr)
	}
	if b.read("t/a.cfg") != "a\x1aAbb\x1aB" || !b.exists("w/Y.DLL") || !b.exists("t/dirB/in.txt") || b.exists("t/dirC/c.txt") {
		t.Fatalf("the batch did not do what it says: %v", treeOf(t, b.c))
	}
	if code, out, stderr := b.smswork("undo", "1"); code != exitOK {
		t.Fatalf("undo: exit %d\n%s%s", code, out, stderr)
	}
	sameTree(t, "after the undo", before, treeOf(t, b.c))
}
