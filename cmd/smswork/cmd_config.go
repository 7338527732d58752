package main

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"smswork/internal/config"
)

type configOptions struct {
	json bool
	// run holds the run flags config takes, so that
	// `smswork config --deadline 1m` shows what `smswork run --deadline 1m`
	// would use.
	run runOptions
}

func newConfigCommand(g *globalOptions) *cobra.Command {
	o := &configOptions{}
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Print the effective settings and where each came from",
		Long: `config prints every setting the commands use: SMS.INI, the journal and the
backup folder, the drive mappings, the log settings and run's defaults, each
with where its value came from: the default, the configuration file (file:line),
a flag, or the environment.

The configuration file is --config, else the file $SMSWORK_CONFIG names, else
/etc/smswork/smswork.conf (C:\ProgramData\smswork\smswork.conf on Windows),
which may be missing: a missing default file is no error, a missing file
named by --config or $SMSWORK_CONFIG is. It is INI:

  ini = /var/lib/smswork/SMS.INI     ; the top: ini, journal, backups, log-format, log-file
  [drives]
  C = /mnt/image/c                   ; as --drive C=/mnt/image/c
  [run]
  deadline = 5m                      ; run's flags: interrupted, max-attempts, on-error, in-use,
                                     ; on-reboot, op-timeout, deadline, keep-backups, atomic,
                                     ; on-rollback

A flag overrides the file; a --drive adds to [drives] (or replaces the
file's mapping of its letter). An unknown setting, one set twice, or a bad
value stops every command with exit status 2, naming file:line.
--insecure-permissions is a flag only: it is never a default.

config takes run's flags, to show what a run given them would use.

Exit status: 0, or 2 when the configuration file or a flag is bad.`,
		Example: `  smswork config
  smswork --config /etc/smswork/test.conf config --json
  smswork config --deadline 1m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runConfig(cmd.Context(), g, o)
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print one JSON object")
	addRunFlags(cmd, &o.run)
	return cmd
}

// configLine is one effective setting.
type configLine struct {
	Name   string `json:"name"`
	Value  string `json:"value"`
	Source string `json:"source"`
}

func runConfig(_ context.Context, g *globalOptions, o *configOptions) error {
	s := g.set
	found := ""
	if !s.ConfigFound {
		found = " (not there: defaults and flags only)"
	}
	lines := []configLine{{"config", s.Config + found, s.ConfigSource.String()}}
	for _, k := range config.Keys() {
		v := s.Value(k.Name)
		if v == "" {
			v = k.Default // "(none)", "(console on a terminal, json otherwise)"
		}
		lines = append(lines, configLine{k.Name, v, s.SourceOf(k.Name).String()})
	}
	for _, d := range s.Drives {
		lines = append(lines, configLine{"drive " + d.Letter, d.Dir, d.Source.String()})
	}
	if o.json {
		return json.NewEncoder(g.stdout).Encode(map[string]any{"settings": lines})
	}
	tw := tabwriter.NewWriter(g.stdout, 0, 4, 2, ' ', 0)
	for _, l := range lines {
		v := l.Value
		if v == "" {
			v = "(none)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", l.Name, v, l.Source)
	}
	if len(s.Drives) == 0 {
		fmt.Fprintf(tw, "drives\t(none mapped)\t\n")
	}
	return tw.Flush()
}
