package crashtest

import "testing"

// TestSummary prints the report of every crash test that ran before it
// (go test ./crashtest -v): crash points tried per kind, violations, and
// time. It must stay the last test of the package: its file name sorts
// after every other test file's.
func TestSummary(t *testing.T) {
	t.Log("crash-test report\n" + tally.Table())
}
