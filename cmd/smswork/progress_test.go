package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"smswork/ops"

	"github.com/rs/zerolog"
)

// fakeClock is a clock a test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time          { return c.t }
func (c *fakeClock) advance(d time.Duration) { c.t = c.t.Add(d) }

func TestNewProgressLog(t *testing.T) {
	var buf bytes.Buffer
	clk := &fakeClock{t: time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)}
	p := NewProgressLog(zerolog.New(&buf), 5*time.Second, clk.now)
	big := exC("windows/big.bin")
	const total = 100 << 20

	// A copy quicker than the interval logs nothing.
	p(exC("small"), 0, 10)
	clk.advance(time.Second)
	p(exC("small"), 10, 10)
	if buf.Len() != 0 {
		t.Fatalf("quick copy logged: %s", buf.String())
	}

	// A long one: a buffer every second, 1 MiB each, for 20 seconds.
	p(big, 0, total)
	for i := int64(1); i <= 20; i++ {
		clk.advance(time.Second)
		p(big, i<<20, total)
	}
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 4 { // at 5, 10, 15 and 20 seconds
		t.Fatalf("%d events, want 4:\n%s", len(lines), buf.String())
	}
	var ev struct {
		Message string `json:"message"`
		Dst     string `json:"dst"`
		Done    int64  `json:"done"`
		Total   int64  `json:"total"`
		Percent int    `json:"percent"`
		Rate    int64  `json:"bytes_per_sec"`
		ETA     int64  `json:"eta_sec"`
		Level   string `json:"level"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &ev); err != nil {
		t.Fatal(err)
	}
	if ev.Message != "copying" || ev.Level != "info" || ev.Dst != `C:\windows\big.bin` || ev.Done != 5<<20 ||
		ev.Total != total || ev.Percent != 5 || ev.Rate != 1<<20 || ev.ETA != 95 {
		t.Errorf("first event %+v", ev)
	}
}

func TestNewProgressBar(t *testing.T) {
	var buf bytes.Buffer
	clk := &fakeClock{t: time.Date(2001, 2, 3, 4, 5, 6, 0, time.UTC)}
	p := NewProgressBar(&buf, clk.now)

	p(exC("small"), 0, 10)
	p(exC("small"), 10, 10)
	if buf.Len() != 0 {
		t.Fatalf("quick copy drew: %q", buf.String())
	}
	const total = 8 << 20
	big := exC("big.bin")
	p(big, 0, total)
	for i := int64(1); i <= 8; i++ {
		clk.advance(200 * time.Millisecond)
		p(big, i<<20, total)
	}
	out := buf.String()
	if !strings.HasSuffix(out, "\n") || strings.Count(out, "\n") != 1 {
		t.Errorf("bar not ended once: %q", out)
	}
	last := out[strings.LastIndex(out, "\r")+1:]
	for _, want := range []string{`C:\big.bin`, "8.0 MiB / 8.0 MiB", "100%", "5.0 MiB/s", "[========================]"} {
		if !strings.Contains(last, want) {
			t.Errorf("last line %q lacks %q", last, want)
		}
	}
	first := out[1 : strings.Index(out[1:], "\r")+1]
	for _, want := range []string{"2.0 MiB / 8.0 MiB", " 25%", "5.0 MiB/s", "1s left"} {
		if !strings.Contains(first, want) {
			t.Errorf("first line %q lacks %q", first, want)
		}
	}
}

// exC is rel on drive C.
func exC(rel string) ops.Path { return ops.Path{Drive: "C", Rel: rel} }
