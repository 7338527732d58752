package exec

import (
	"runtime"
	"testing"

	"smswork/internal/wintest"
)

// skipCaseInsensitive skips a check of case canonicalisation: on Windows
// the file system itself is case-insensitive, so Resolve keeps the case an
// entry wrote (TestExecutor_CaseInsensitiveWindows covers that instead).
func skipCaseInsensitive(t *testing.T) {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("checks the on-disk case a case-sensitive file system needs; Windows resolves case itself")
	}
}

// skipUnderWine skips what Wine does not do as Windows does, with why.
func skipUnderWine(t *testing.T, why string) {
	t.Helper()
	if wintest.UnderWine() {
		t.Skip("under Wine: " + why)
	}
}
