package crashtest

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"text/tabwriter"
	"time"
)

// Tally counts, per kind of crash, the crash points tried, the violations
// the checkers reported after them and the time smswork processes took.
// Every Sandbox records into the package's tally; TestSummary prints it.
type Tally struct {
	mu    sync.Mutex
	start time.Time
	kinds map[string]*KindTally
}

// KindTally is one row of the report.
type KindTally struct {
	Kind       string
	Crashes    int           // smswork processes killed (crash points tried)
	Violations int           // broken promises reported by CheckCrashed and CheckRecovered
	Time       time.Duration // time spent in smswork processes of this kind
}

// tally is the package's report, filled by Sandbox.RunWrapped and the
// checkers.
var tally = &Tally{}

func (t *Tally) row(kind string) *KindTally {
	if t.kinds == nil {
		t.kinds = map[string]*KindTally{}
		t.start = time.Now()
	}
	k := t.kinds[kind]
	if k == nil {
		k = &KindTally{Kind: kind}
		t.kinds[kind] = k
	}
	return k
}

// process records one smswork process of the given kind.
func (t *Tally) process(kind string, d time.Duration, killed bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	k := t.row(kind)
	k.Time += d
	if killed {
		k.Crashes++
	}
}

// violations records n broken promises found in a sandbox of kind.
func (t *Tally) violations(kind string, n int) {
	if n == 0 {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.row(kind).Violations += n
}

// Rows returns the report's rows sorted by kind, and their total, which
// leaves out the kinds named "demo/...": demonstrations that the checkers
// catch a broken product, whose violations are expected.
func (t *Tally) Rows() (rows []KindTally, total KindTally) {
	t.mu.Lock()
	defer t.mu.Unlock()
	total.Kind = "total"
	for _, k := range t.kinds {
		if k.Crashes == 0 && k.Violations == 0 {
			continue // counting and reference runs
		}
		rows = append(rows, *k)
		if strings.HasPrefix(k.Kind, "demo/") {
			continue // a demonstration that must break: not in the total
		}
		total.Crashes += k.Crashes
		total.Violations += k.Violations
		total.Time += k.Time
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Kind < rows[j].Kind })
	return rows, total
}

// Table renders the report as a text table, with the wall time since the
// first process was recorded.
func (t *Tally) Table() string {
	rows, total := t.Rows()
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "kind\tcrash points\tviolations\tprocess time\t")
	for _, r := range append(rows, total) {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t\n", r.Kind, r.Crashes, r.Violations, r.Time.Round(time.Second))
	}
	_ = tw.Flush()
	t.mu.Lock()
	wall := time.Duration(0)
	if !t.start.IsZero() {
		wall = time.Since(t.start)
	}
	t.mu.Unlock()
	fmt.Fprintf(&b, "wall time %s\n", wall.Round(time.Second))
	return b.String()
}
