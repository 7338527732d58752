// Command bench measures smswork against the disk's own limit and against
// the naive way, and prints a table. Every figure is a ratio to a baseline
// measured in the same run on the same file system, since the machines are
// shared and noisy:
//
//	go run ./bench            # the full suite (1 GiB copy, 100,000-entry queue, 1M records)
//	go run ./bench -quick     # a smaller suite for a quick look
//
// It builds the real binary, works in a temporary folder (-dir to choose
// the file system) and removes it afterwards.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"text/tabwriter"
	"time"
)

type options struct {
	quick    bool
	dir      string
	copyOnly bool
}

// row is one line of the result table.
type row struct {
	what, value, target string
}

func main() {
	o := options{}
	flag.BoolVar(&o.quick, "quick", false, "smaller sizes (256 MiB copy, queues up to 10,000, 100,000 records)")
	flag.StringVar(&o.dir, "dir", "", "work in this folder (default: a temporary one)")
	flag.BoolVar(&o.copyOnly, "copy-only", false, "only the large-copy step (ext4, XFS and btrfs)")
	flag.Parse()
	if err := run(o, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(o options, w io.Writer) error {
	dir, err := os.MkdirTemp(o.dir, "smswork-bench-")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(dir) }()
	bin := filepath.Join(dir, "smswork")
	if out, err := exec.Command("go", "build", "-o", bin, "smswork/cmd/smswork").CombinedOutput(); err != nil {
		return fmt.Errorf("build: %v\n%s", err, out)
	}
	b := &bench{bin: bin, dir: dir, quick: o.quick}
	host, _ := os.Hostname()
	fmt.Fprintf(w, "smswork bench on %s (%s/%s, %d CPUs), folder %s\n\n", host, runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), dir)
	steps := []func() ([]row, error){b.syncCost, b.floor, b.runSync, b.largeCopy, b.scaling, b.emptyBoot, b.naive}
	if o.copyOnly {
		steps = []func() ([]row, error){b.largeCopy}
	}
	var rows []row
	for _, step := range steps {
		r, err := step()
		if err != nil {
			return err
		}
		rows = append(rows, r...)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "measure\tresult\ttarget")
	fmt.Fprintln(tw, "-------\t------\t------")
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", r.what, r.value, r.target)
	}
	return tw.Flush()
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d.Microseconds())/1000) }
