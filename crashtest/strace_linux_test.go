package crashtest

import (
	"flag"
	"fmt"
	"os"
	"sort"
	"testing"
)

var recoveryWide = flag.Bool("crashtest.recovery-wide", false, "with -crashtest.full, crash recovery after five first crashes, not two")

// straceBudget is about how many values of N the default run tries per
// system call (all of them with -crashtest.full, two with -short).
func straceBudget() int {
	if testing.Short() {
		return 2
	}
	return 20
}

// countRun counts the system calls of a crash-free run of the reference
// workload with bin: StraceSyscalls, and syncfs (the power-loss tests
// cut the power before it).
func countRun(t *testing.T, bin string) map[string]int {
	t.Helper()
	s, _, done := sandboxIn(t, bin, os.TempDir(), "count")
	defer done()
	counts, o, err := CountSyscallsOf(s, append(append([]string{}, StraceSyscalls...), "syncfs"), nil, "run")
	if err != nil || o.Code != 0 || o.Killed {
		t.Fatalf("counting run: exit %d killed %v %v: %s", o.Code, o.Killed, err, o.Stderr)
	}
	return counts
}

// sortedSyscalls lists the system calls of counts that were called.
func sortedSyscalls(counts map[string]int) []string {
	var names []string
	for _, sc := range StraceSyscalls {
		if counts[sc] > 0 {
			names = append(names, sc)
		}
	}
	sort.Strings(names)
	return names
}

// TestStrace kills the run with SIGKILL on entry to the N-th call of each
// durability-relevant system call (strace fault injection), for every N
// with -crashtest.full, recovers, and checks the seven promises.
func TestStrace(t *testing.T) {
	needStrace(t)
	ref := reference(t)
	bin := lockedBinary(t)
	counts := countRun(t, bin)
	t.Logf("calls in a crash-free run (main thread): %v", counts)
	for _, sc := range sortedSyscalls(counts) {
		t.Run(sc, func(t *testing.T) {
			t.Parallel()
			tried := 0
			for _, n := range sampleN(counts[sc], straceBudget()) {
				s, w, done := sandboxIn(t, bin, os.TempDir(), "strace/"+sc)
				killed := crashAndRecover(t, s, w, ref, fmt.Sprintf("%s #%d", sc, n), KillBefore(sc, n), nil, nil)
				done()
				if !killed || t.Failed() {
					break
				}
				tried++
			}
			if tried == 0 && !t.Failed() {
				t.Fatalf("no crash at %s", sc)
			}
			t.Logf("%s: %d crash points of %d calls", sc, tried, counts[sc])
		})
	}
}

// TestStraceRecovery crashes a run, then crashes its recovery at the N-th
// call of several system calls, recovers, and checks the promises.
func TestStraceRecovery(t *testing.T) {
	needStrace(t)
	ref := reference(t)
	bin := lockedBinary(t)
	counts := countRun(t, bin)
	// First crashes: a sample by default, spread over the workload.
	type point struct {
		sc string
		n  int
	}
	first := []point{{"fsync", counts["fsync"] / 4}, {"renameat", counts["renameat"] / 2}, {"fdatasync", counts["fdatasync"] * 3 / 4}}
	second := []string{"fsync", "renameat", "unlinkat"}
	budget := 8
	if testing.Short() {
		first, second, budget = first[:1], second[:1], 2
	}
	if *full {
		// Every N of every durability-relevant system call of the
		// recovery itself, after two first crashes: mid-copy (an fsync
		// a third in) and mid-SMS.INI rewrite (a rename two thirds in).
		// -crashtest.recovery-wide adds three more first crashes.
		first = []point{{"fsync", max(1, counts["fsync"]/3)}, {"renameat", max(1, counts["renameat"]*2/3)}}
		if *recoveryWide {
			for _, sc := range []string{"fdatasync", "unlinkat", "mkdirat"} {
				first = append(first, point{sc, max(1, counts[sc]/2)})
			}
		}
		second = sortedSyscalls(counts)
	}
	for _, p := range first {
		t.Run(fmt.Sprintf("%s#%d", p.sc, p.n), func(t *testing.T) {
			t.Parallel()
			s, w, done := sandboxIn(t, bin, os.TempDir(), "recovery/first crash")
			defer done()
			label := fmt.Sprintf("%s #%d", p.sc, p.n)
			o, err := s.RunWrapped(KillBefore(p.sc, p.n), nil, "run")
			if err != nil || !o.Killed {
				t.Fatalf("%s: not killed (exit %d, %v)", label, o.Code, err)
			}
			reportViolations(t, s, "after crash at "+label, CheckCrashed(s, w))
			saved := s.Dir + ".crashed"
			if err := CopyTree(s.Dir, saved); err != nil {
				t.Fatal(err)
			}
			defer func() { _ = os.RemoveAll(saved) }()
			rcounts, o, err := CountSyscalls(s, nil, "run")
			if err != nil || o.Code != 0 || o.Killed {
				t.Fatalf("recovery after %s: exit %d %v: %s", label, o.Code, err, o.Stderr)
			}
			reportViolations(t, s, "after crash at "+label+" and recovery", CheckRecovered(s, w, ref))
			for _, sc := range second {
				tried := 0
				for _, n := range sampleN(rcounts[sc], budget) {
					if err := os.RemoveAll(s.Dir); err != nil {
						t.Fatal(err)
					}
					if err := CopyTree(saved, s.Dir); err != nil {
						t.Fatal(err)
					}
					s.Kind = "recovery/" + sc
					killed := crashAndRecover(t, s, w, ref, fmt.Sprintf("%s then %s #%d", label, sc, n), KillBefore(sc, n), nil, nil)
					if !killed || t.Failed() {
						break
					}
					tried++
				}
				t.Logf("%s then %s: %d crash points of %d calls", label, sc, tried, rcounts[sc])
			}
		})
	}
}
