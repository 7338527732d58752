package main

import (
	"runtime/debug"
	"strings"
)

// version, when set at link time (-ldflags "-X main.version=1.2.3", as
// dist/deb/build does), is the version a package gives this build.
var version string

// buildVersion is this build's version: version when the build set it,
// else from the module's build
// information (runtime/debug.ReadBuildInfo): the module version (a tag
// such as v1.2.0 for `go install smswork/cmd/smswork@v1.2.0`, "(devel)" for
// a build in a clone), then the VCS revision when the build recorded it
// (`go build` in a git checkout does; -buildvcs=false does not), marked
// modified when the tree had local changes: "(devel) rev 5424428a1b2c
// modified". --version prints it and every audit record carries it.
func buildVersion() string {
	if version != "" {
		return version
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown (no build information)"
	}
	return versionOf(bi)
}

// versionOf formats bi as buildVersion says.
func versionOf(bi *debug.BuildInfo) string {
	v := bi.Main.Version
	if v == "" {
		v = "(devel)"
	}
	var rev string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" {
		return v
	}
	if len(rev) > 12 {
		rev = rev[:12]
	}
	parts := []string{v, "rev", rev}
	if modified {
		parts = append(parts, "modified")
	}
	return strings.Join(parts, " ")
}
