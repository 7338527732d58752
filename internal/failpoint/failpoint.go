// Package failpoint kills the process at a named point of its work, for the
// crash tests. It is driven by a specification a test passes to the binary
// (SMSWORK_FAILPOINT, read only by main): production runs have none, and a
// nil Func costs one comparison.
package failpoint

import (
	"fmt"
	"strconv"
	"strings"
)

// Func is called at each named point; nil does nothing.
type Func func(name string)

// Parse turns "NAME" or "NAME:N" (die at the N-th time NAME is reached,
// counting from 1) into a Func that kills the process there with SIGKILL
// (Windows: TerminateProcess), as a power cut would stop it: no deferred
// function, no buffered write, no lock release but the kernel's.
func Parse(spec string) (Func, error) {
	if spec == "" {
		return nil, nil
	}
	name, nth := spec, 1
	if i := strings.LastIndexByte(spec, ':'); i >= 0 {
		n, err := strconv.Atoi(spec[i+1:])
		if err != nil || n < 1 {
			return nil, fmt.Errorf("failpoint %q: count after ':' must be a positive number", spec)
		}
		name, nth = spec[:i], n
	}
	seen := 0
	return func(at string) {
		if at != name {
			return
		}
		seen++
		if seen == nth {
			kill()
		}
	}, nil
}

// Hit calls f(name) when f is set.
func (f Func) Hit(name string) {
	if f != nil {
		f(name)
	}
}
