// Package wintest tells tests whether they run under Wine rather than on
// Windows, so that a test can skip, with its reason, what Wine does not
// do as Windows does (.ci/run runs the Windows tests under Wine, set up
// by the project's shared wine-go tools, which CI lays beside the
// checkout). It is for tests only.
package wintest

// EnvVar, set to 1, says the tests run under Wine (.ci/run sets it); the
// registry key HKCU\Software\Wine, which every Wine prefix has, says so
// too.
const EnvVar = "SMSWORK_UNDER_WINE"

// UnderWine reports whether this Windows process runs under Wine; it is
// false on every other system.
func UnderWine() bool { return underWine() }
