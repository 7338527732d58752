package main

import (
	"bytes"
	"strings"
	"testing"

	"smswork/internal/pendmove"
)

// TestStatus_PendingRenames: status shows every pending rename as
// PendMoves does, other installers' too, and marks ours.
func TestStatus_PendingRenames(t *testing.T) {
	value := pendmove.Encode([]pendmove.Pending{
		{Source: `C:\Config.Msi\3ec7bbbf.rbf`, Delete: true},
		{Source: `C:\Windows\System32\.smswork-4-0.tmp`, Target: `C:\Windows\System32\netapi.dll`, Replace: true},
		{Source: `C:\Windows\WinSxS\pending.xml`, Target: `C:\Windows\x.xml`, Marker: "*1"},
	})
	ours := []ourPair{{seq: 4, src: `c:\windows\system32\.smswork-4-0.tmp`, dst: `C:\WINDOWS\System32\NETAPI.DLL`}}
	rep := &statusReport{PendingRenames: markOurs(pendmove.Parse(value), ours)}
	if len(rep.PendingRenames) != 3 || rep.PendingRenames[0].Ours || !rep.PendingRenames[1].Ours || rep.PendingRenames[1].Seq != 4 || rep.PendingRenames[2].Ours {
		t.Fatalf("marked %+v", rep.PendingRenames)
	}
	var b bytes.Buffer
	printPendingRenames(&b, rep)
	for _, want := range []string{
		"renames pending for the next boot (Session Manager, PendingFileRenameOperations): 3",
		`Source: C:\Config.Msi\3ec7bbbf.rbf` + "\n  Target: DELETE  (another program's)",
		`Target: C:\Windows\System32\netapi.dll (replacing it)  (ours, #4)`,
		`Source: C:\Windows\WinSxS\pending.xml [*1]`,
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("status lacks %q:\n%s", want, b.String())
		}
	}
}
