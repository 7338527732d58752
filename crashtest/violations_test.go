package crashtest

import "testing"

// reportViolations reports each broken promise found in sandbox s. The
// harness found two product bugs (a landed SMS.INI rewrite never confirmed;
// read-only commands failing on a journal whose creation a crash cut
// short); both are fixed and their crash points stay in every sweep (the
// first and last invocation of each system call are always tried).
func reportViolations(t *testing.T, s *Sandbox, prefix string, vs []string) {
	t.Helper()
	for _, v := range vs {
		t.Errorf("%s: %s", prefix, v)
	}
}
