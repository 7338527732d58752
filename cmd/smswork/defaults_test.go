package main

import (
	"io"
	"strings"
	"testing"
	"time"

	"smswork/internal/config"
	"smswork/ops/exec"
)

// TestDefaults_OnePlace: run's flags (and config's) show internal/config's
// defaults, which the executor falls back on too: one source of truth.
func TestDefaults_OnePlace(t *testing.T) {
	root, _ := newRoot(io.Discard, io.Discard)
	for _, name := range []string{"run", "config"} {
		cmd, _, err := root.Find([]string{name})
		if err != nil {
			t.Fatal(err)
		}
		for _, k := range config.Keys() {
			if k.Section() != "run" {
				continue
			}
			f := cmd.Flags().Lookup(k.Flag())
			if f == nil {
				t.Errorf("%s has no --%s flag for the setting %s", name, k.Flag(), k.Name)
				continue
			}
			want := k.Default
			if k.Kind == config.KindDuration {
				d, err := time.ParseDuration(want)
				if err != nil {
					t.Fatal(err)
				}
				want = d.String()
			}
			if !strings.EqualFold(f.DefValue, want) {
				t.Errorf("%s --%s defaults to %q, the setting %s to %q", name, k.Flag(), f.DefValue, k.Name, want)
			}
		}
	}
	if exec.DefaultOpTimeout != config.OpTimeout {
		t.Errorf("the executor's default op timeout %s is not the setting's %s", exec.DefaultOpTimeout, config.OpTimeout)
	}
}
