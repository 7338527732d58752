package metrics

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
)

// The metric types this package writes.
const (
	gauge   = "gauge"
	counter = "counter"
)

// family is one metric family: its HELP and TYPE lines, an optional
// comment, then its samples.
type family struct {
	name, typ, help, comment string
	samples                  []sample
}

type sample struct {
	labels []label
	value  float64
}

type label struct{ name, value string }

// writeFamilies writes fams in the text exposition format (version 0.0.4).
func writeFamilies(w io.Writer, fams []family) error {
	bw := bufio.NewWriter(w)
	seen := map[string]bool{}
	for _, f := range fams {
		if seen[f.name] {
			return fmt.Errorf("metric %s written twice", f.name)
		}
		seen[f.name] = true
		if f.comment != "" {
			fmt.Fprintf(bw, "# %s\n", strings.ReplaceAll(f.comment, "\n", " "))
		}
		fmt.Fprintf(bw, "# HELP %s %s\n# TYPE %s %s\n", f.name, escapeHelp(f.help), f.name, f.typ)
		for _, s := range f.samples {
			bw.WriteString(f.name)
			if len(s.labels) > 0 {
				bw.WriteByte('{')
				for i, l := range s.labels {
					if i > 0 {
						bw.WriteByte(',')
					}
					fmt.Fprintf(bw, "%s=\"%s\"", l.name, escapeLabel(l.value))
				}
				bw.WriteByte('}')
			}
			fmt.Fprintf(bw, " %s\n", formatValue(s.value))
		}
	}
	return bw.Flush()
}

// escapeHelp escapes a HELP text: backslash and line feed.
func escapeHelp(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

// escapeLabel escapes a label value: backslash, double quote, line feed.
func escapeLabel(s string) string {
	return strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s)
}

// formatValue writes integers without exponent or fraction, other
// values in the shortest form that reads back the same.
func formatValue(v float64) string {
	switch {
	case math.IsNaN(v):
		return "NaN"
	case math.IsInf(v, 1):
		return "+Inf"
	case math.IsInf(v, -1):
		return "-Inf"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}
