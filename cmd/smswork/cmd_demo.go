package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/rs/zerolog"
	"github.com/spf13/cobra"

	"smswork/internal/config"
)

type demoOptions struct {
	keep bool
	dir  string
}

func newDemoCommand(g *globalOptions) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run the KB139086 example in a throw-away sandbox",
		Long: `demo makes a sandbox in a temporary folder with drive C mapped into it, writes
an SMS.INI holding the KB139086 example (replace an in-use netapi.dll) and a
few more entries, runs it, and prints what happened: the plan, the outcome of
each operation, SMS.INI after, and the audit trail. It touches nothing outside
the sandbox, which it removes unless --keep.

Exit status: as run's.`,
		Example: `  smswork demo
  smswork demo --keep`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runDemo(cmd.Context(), g, o)
		},
	}
	cmd.Flags().BoolVar(&o.keep, "keep", false, "keep the sandbox and print its path")
	cmd.Flags().StringVar(&o.dir, "dir", "", "make the sandbox in this folder instead of a temporary one")
	return cmd
}

// demoRollback shows an atomic batch that fails half way: what it did is
// undone, and it is dropped.
func demoRollback(ctx context.Context, d *globalOptions, c string) error {
	w := d.stdout
	entries := []string{`copy c:\docs\readme.txt c:\windows\system\netapi.dll /y`, `copy c:\temp\missing.dll c:\windows\system\missing.dll`}
	fmt.Fprintf(w, "\n== an atomic batch that fails half way is rolled back ==\n$ smswork add --atomic --on-rollback=drop '%s' '%s'\n", entries[0], entries[1])
	quiet := *d
	quiet.stdout = io.Discard
	quiet.log, quiet.logLevel = nil, zerolog.Disabled // the summary below says it
	if err := runAdd(ctx, &quiet, &addOptions{atomic: true, onRollback: "drop"}, entries); err != nil {
		return err
	}
	var out strings.Builder
	quiet.stdout = &out
	runErr := runRun(ctx, &quiet, settingsRunOptions(&quiet), "")
	fmt.Fprintf(w, "$ smswork run   -> exit status %d", exitCode(runErr))
	for line := range strings.Lines(out.String()) {
		if strings.HasPrefix(line, "batch ") {
			fmt.Fprint(w, ": "+line)
		}
	}
	dll, err := os.ReadFile(filepath.Join(c, "windows", "system", "netapi.dll"))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "c:\\windows\\system\\netapi.dll still holds: %s", dll)
	if code := exitCode(runErr); code != exitFailed {
		return fmt.Errorf("the demo's atomic batch: run exit status %d, want %d: %v", code, exitFailed, runErr)
	}
	return nil
}

// demoRunEntry is a run operation that works on this OS with no shell
// implied: the shell is named, as an author must.
func demoRunEntry() string {
	if runtime.GOOS == "windows" {
		return `cmd /c "echo hello from a run entry"`
	}
	return `sh -c "echo hello from a run entry"`
}

// demoSettings are the settings of the demo: its sandbox's SMS.INI,
// journal and drive C, the rest as the configuration file says.
func demoSettings(s *config.Settings, ini, journal, c string) (*config.Settings, error) {
	set := s.Clone()
	src := config.Source{Kind: config.FromDefault, Name: "the demo's sandbox"}
	for _, kv := range [][2]string{{"ini", ini}, {"journal", journal}, {"backups", journal + ".backups"}} {
		if err := set.Set(kv[0], kv[1], src); err != nil {
			return nil, err
		}
	}
	if set.LogFormat == "" {
		if err := set.Set("log-format", "console", src); err != nil {
			return nil, err
		}
	}
	set.Drives = []config.Drive{{Letter: "C", Dir: c, Source: src}}
	return set, nil
}

func runDemo(ctx context.Context, g *globalOptions, o *demoOptions) (err error) {
	dir := o.dir
	if dir == "" {
		if dir, err = os.MkdirTemp("", "smswork-demo-"); err != nil {
			return err
		}
		if !o.keep {
			defer func() { _ = os.RemoveAll(dir) }()
		}
	}
	c := filepath.Join(dir, "c")
	files := map[string]string{
		"temp/netapi.dll":           "NETAPI.DLL version 2 (new)\n",
		"windows/system/netapi.dll": "NETAPI.DLL version 1 (old, in use)\n",
		"temp/readme.txt":           "read me\n",
		"temp/setup.log":            "setup log\n",
		"temp/empty/.keep":          "",
	}
	for name, content := range files {
		p := filepath.Join(c, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	if err := os.Remove(filepath.Join(c, "temp", "empty", ".keep")); err != nil {
		return err
	}
	// The KB article's example exactly as printed (CRLF, continued line),
	// then more entries on a second continued line.
	ini := "; SMS client settings\r\n[SMS]\r\nClient=1\r\n\r\n[SMS Work]\r\n" +
		"PendingWork=copy c:\\temp\\netapi.dll c:\\windows\\system\\netapi.dll /y,\r\n" +
		"del c:\\temp\\netapi.dll, md c:\\docs, move c:\\temp\\readme.txt c:\\docs\\readme.txt,\r\n" +
		"del c:\\temp\\*.log, rd c:\\temp\\empty, " + demoRunEntry() + "\r\n"
	iniPath := filepath.Join(c, "SMS.INI")
	if err := os.WriteFile(iniPath, []byte(ini), 0o644); err != nil {
		return err
	}
	d := *g
	if d.set, err = demoSettings(g.set, iniPath, filepath.Join(dir, "smswork.journal"), c); err != nil {
		return err
	}
	d.logLevel = zerolog.WarnLevel
	w := g.stdout
	fmt.Fprintf(w, "sandbox: drive C = %s\n\n== SMS.INI before ==\n%s\n== smswork plan ==\n", c, strings.ReplaceAll(ini, "\r\n", "\n"))
	if err := runPlan(ctx, &d, &planOptions{}); err != nil {
		return err
	}
	fmt.Fprintf(w, "\n== smswork run (warnings only; the audit trail below says what ran) ==\n")
	quiet := d
	quiet.stdout = io.Discard
	runErr := runRun(ctx, &quiet, settingsRunOptions(&quiet), "")
	after, err := os.ReadFile(iniPath)
	if err != nil {
		return err
	}
	dll, err := os.ReadFile(filepath.Join(c, "windows", "system", "netapi.dll"))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n== SMS.INI after ==\n%s\n== c:\\windows\\system\\netapi.dll now holds ==\n%s\n== smswork history ==\n",
		strings.ReplaceAll(string(after), "\r\n", "\n"), dll)
	if err := runHistory(ctx, &d, &historyOptions{oldest: true}); err != nil {
		return err
	}
	if err := demoRollback(ctx, &d, c); err != nil {
		return err
	}
	if o.keep || o.dir != "" {
		fmt.Fprintf(w, "\nsandbox kept: %s (try: smswork --ini %s --journal %s --drive C=%s status)\n", dir, iniPath, d.journalPath(), c)
	}
	return runErr
}
