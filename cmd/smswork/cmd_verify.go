package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"smswork/audit"
	"smswork/internal/fsroot"
	"smswork/journal"
	"smswork/ops"
	"smswork/smsini"
)

type verifyOptions struct {
	files bool
}

func newVerifyCommand(g *globalOptions) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Check the journal, its hash chain and SMS.INI against each other",
		Long: `verify runs bbolt's consistency check on the journal, walks the audit
history's hash chain (an edited, deleted or reordered record is named), and
checks SMS.INI against the journal: every uncommitted operation must still be
listed, in order, and no committed one once a run has finished.

With --files it also reads, through the --drive mappings, every file an
operation copied that should still be in place, and compares its SHA-256 with
the one recorded. Only the newest write to each path counts; a later del, rd
or move of the path means it is expected gone (a move carries the expectation
to its destination). A file that a later run operation may have changed is
reported with that record named.

Exit status 0 when all is clean, 1 with the list of findings, each naming the
record or operation (its ID and entry), 2 when the journal file itself is
damaged (each damaged page named; see 'smswork journal salvage').`,
		Example: `  smswork verify
  smswork --drive C=/mnt/image/c verify --files`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runVerify(cmd.Context(), g, o)
		},
	}
	cmd.Flags().BoolVar(&o.files, "files", false, "also check the SHA-256 of every copied file that should be in place")
	return cmd
}

func runVerify(ctx context.Context, g *globalOptions, o *verifyOptions) error {
	var drives *fsroot.Drives
	if o.files {
		var err error
		if drives, err = g.openDrives(); err != nil {
			return err
		}
		defer func() { _ = drives.Close() }()
	}
	ini, err := g.statIni(false)
	if err != nil {
		return err
	}
	j, err := g.openJournal(true)
	if errors.Is(err, os.ErrNotExist) {
		// No journal yet (or its creation was cut short): nothing was
		// ever committed; SMS.INI must still parse.
		if err := ini.wrongPath(g, true); err != nil {
			return err
		}
		if ini.missing {
			fmt.Fprintf(g.stdout, "%s; no journal yet at %s: clean\n", ini.notice(true), g.journalPath())
			return nil
		}
		if _, err := smsini.Read(g.iniPath()); err != nil {
			fmt.Fprintf(g.stdout, "FINDING: %v\n", err)
			return &exitError{code: exitFailed, err: fmt.Errorf("1 finding(s)")}
		}
		fmt.Fprintf(g.stdout, "no journal yet at %s; %s parses: clean\n", g.journalPath(), g.iniPath())
		return nil
	}
	var de *journal.DamageError
	if errors.As(err, &de) {
		for _, f := range de.Findings {
			fmt.Fprintf(g.stdout, "FINDING: %v\n", f)
		}
		return err
	}
	if err != nil {
		return err
	}
	defer func() { _ = j.Close() }()
	if ini.missing {
		work, err := journalHasWork(j)
		if err != nil {
			return err
		}
		if err := ini.wrongPath(g, !work); err != nil {
			return err
		}
		fmt.Fprintln(g.stdout, ini.notice(!work))
	}
	findings := j.Check()
	if len(findings) > 0 {
		// The file's own structure is damaged: what it records cannot
		// be walked safely, let alone trusted.
		for _, f := range findings {
			fmt.Fprintf(g.stdout, "FINDING: %v\n", f)
		}
		return &journal.DamageError{Path: j.Path(), Findings: findings}
	}
	var expected []audit.ExpectedFile
	err = j.View(func(tx *journal.Tx) error {
		findings = append(findings, tx.VerifyChain()...)
		mf, err := verifyMirror(tx, g.iniPath())
		if err != nil {
			return err
		}
		findings = append(findings, mf...)
		if o.files {
			expected, err = audit.ExpectedFiles(tx)
		}
		return err
	})
	if err != nil {
		return err
	}
	// The journal is closed before files are read (closing twice is
	// harmless): a long check does not keep a boot's run waiting for it.
	_ = j.Close()
	checked := 0
	if o.files {
		for _, ef := range expected {
			if err := ctx.Err(); err != nil {
				return err
			}
			if f := checkFile(drives, ef); f != nil {
				findings = append(findings, f)
			}
			checked++
		}
	}
	if len(findings) == 0 {
		fmt.Fprintf(g.stdout, "journal %s and %s: clean\n", j.Path(), g.iniPath())
		if o.files {
			fmt.Fprintf(g.stdout, "%d file(s) in place as written\n", checked)
		}
		return nil
	}
	for _, f := range findings {
		fmt.Fprintf(g.stdout, "FINDING: %v\n", f)
	}
	return &exitError{code: exitFailed, err: fmt.Errorf("%d finding(s)", len(findings))}
}

// verifyMirror checks SMS.INI against what the journal says it lists (the
// journal package doc, "The mirror protocol"): the operations from the
// mirror's Start on, in order, then entries not ingested yet.
func verifyMirror(tx *journal.Tx, ini string) ([]error, error) {
	var findings []error
	m, err := tx.Mirror()
	if err != nil {
		return nil, err
	}
	start := m.Start
	if p := m.Pending; p != nil {
		findings = append(findings, fmt.Errorf("an SMS.INI rewrite was interrupted (temporary file %s): smswork run finishes it", p.Temp))
		if _, err := os.Lstat(p.Temp); errors.Is(err, os.ErrNotExist) {
			start = p.Start // the rename happened
		}
	}
	var listed []*journal.Entry
	err = tx.Queue(func(e *journal.Entry) error {
		switch {
		case e.Seq < start && e.State != journal.Committed:
			findings = append(findings, fmt.Errorf("operation %d (batch %d entry %d %q) is %s but SMS.INI no longer lists it",
				e.Seq, e.Batch, e.Pos, e.Raw, e.State))
		case e.Seq >= start:
			if e.State == journal.Committed {
				findings = append(findings, fmt.Errorf("operation %d (batch %d entry %d %q) is committed but SMS.INI still lists it: a run did not finish; smswork run finishes it",
					e.Seq, e.Batch, e.Pos, e.Raw))
			}
			listed = append(listed, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	file, err := smsini.Read(ini)
	if err != nil {
		return append(findings, err), nil
	}
	for i, e := range listed {
		if i >= len(file.Entries) {
			findings = append(findings, fmt.Errorf("%s does not list operation %d (batch %d entry %d %q), which the journal says it lists at position %d",
				ini, e.Seq, e.Batch, e.Pos, e.Raw, i+1))
			break
		}
		if asStored(file.Entries[i].Text) != e.Raw {
			findings = append(findings, fmt.Errorf("%s lists %q at position %d where the journal has operation %d (batch %d entry %d %q)",
				ini, file.Entries[i].Text, i+1, e.Seq, e.Batch, e.Pos, e.Raw))
			break
		}
	}
	return findings, nil
}

// asStored returns text as the journal holds it: JSON, which replaces
// bytes that are not UTF-8 (an old ANSI code page) with U+FFFD.
func asStored(text string) string {
	if utf8.ValidString(text) {
		return text
	}
	data, err := json.Marshal(text)
	if err != nil {
		return text
	}
	var s string
	if json.Unmarshal(data, &s) != nil {
		return text
	}
	return s
}

// checkFile compares the file ef expects with what is on disk, through the
// drive mappings, and returns a finding or nil.
func checkFile(drives *fsroot.Drives, ef audit.ExpectedFile) error {
	who := fmt.Sprintf("record %d (batch %d entry %d %q)", ef.Record, ef.Batch, ef.Pos, ef.Raw)
	if ef.RunAfter != 0 {
		who += fmt.Sprintf("; run operation of record %d, committed later, may have changed it", ef.RunAfter)
	}
	sum, err := hashPath(drives, ef.Path)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("%s is missing, and no later operation removed it: written by %s", ef.Path, who)
	case err != nil:
		return fmt.Errorf("%s cannot be checked: %v: written by %s", ef.Path, err, who)
	case sum != ef.SHA256:
		return fmt.Errorf("%s has changed: SHA-256 %s, written as %s by %s", ef.Path, sum, ef.SHA256, who)
	}
	return nil
}

// hashPath returns the SHA-256 of the file at p, read through its drive's
// root; DOS names are matched case-insensitively.
func hashPath(drives *fsroot.Drives, p ops.Path) (string, error) {
	rp, err := drives.Resolve(p)
	if err != nil {
		return "", err
	}
	root, err := drives.Root(rp.Drive)
	if err != nil {
		return "", err
	}
	name := filepath.FromSlash(rp.Rel)
	if name == "" {
		name = "."
	}
	f, err := root.Open(name)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
