package main

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"smswork/journal"
)

// TestBadInput runs the real binary, plan then run, on every case of
// testdata/badinput. A case is CASE.ini, or CASE.gen for input too big to
// commit (see loadGen), with one expectation:
//
//   - CASE.err: the input is refused. Both commands exit with status 2 and
//     print each line of CASE.err (the first names SMS.INI:line:col), SMS.INI
//     keeps every byte, and the journal, if any, holds no operation and
//     no record.
//   - CASE.ok: the input is valid (Windows reads duplicate sections and
//     keys by taking the first): its lines say what plan prints ("plan+
//     TEXT", "plan- TEXT"), what run leaves on drive C ("exists REL",
//     "absent REL") and in SMS.INI ("ini+ TEXT", TEXT Go-unquoted).
func TestBadInput(t *testing.T) {
	dir := filepath.Join("testdata", "badinput")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range ents {
		name, ext := strings.TrimSuffix(e.Name(), filepath.Ext(e.Name())), filepath.Ext(e.Name())
		if ext != ".ini" && ext != ".gen" {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			var data []byte
			if ext == ".gen" {
				data = loadGen(t, filepath.Join(dir, e.Name()))
			} else if data, err = os.ReadFile(filepath.Join(dir, e.Name())); err != nil {
				t.Fatal(err)
			}
			if want, err := os.ReadFile(filepath.Join(dir, name+".err")); err == nil {
				checkRefused(t, data, strings.Split(strings.TrimSpace(string(want)), "\n"))
			} else if want, err := os.ReadFile(filepath.Join(dir, name+".ok")); err == nil {
				checkValid(t, data, string(want))
			} else {
				t.Fatalf("%s has neither %s.err nor %s.ok", e.Name(), name, name)
			}
		})
	}
	if n < 40 {
		t.Errorf("only %d cases", n)
	}
}

func checkRefused(t *testing.T, data []byte, want []string) {
	b := newBox(t, string(data), nil)
	if !regexp.MustCompile(`^SMS\.INI:\d+:\d+: `).MatchString(want[0]) {
		t.Fatalf("expected error %q names no SMS.INI:line:col", want[0])
	}
	// run twice: without a journal, then with the one the first created.
	// Its bytes are not compared: opening a journal for writing commits a
	// bbolt transaction (its initialisation), which rewrites a meta page.
	for _, cmd := range []string{"plan", "run", "run"} {
		code, stdout, stderr := b.smswork(cmd)
		if code != exitUsage {
			t.Errorf("%s: exit %d, want %d\nstdout %.500s\nstderr %.500s", cmd, code, exitUsage, stdout, stderr)
		}
		for _, w := range want {
			if !strings.Contains(stderr, w) {
				t.Errorf("%s: stderr %.1000q\nwant it to hold %q", cmd, stderr, w)
			}
		}
		if got, err := os.ReadFile(b.ini); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("%s changed SMS.INI (%v)", cmd, err)
		}
		checkNoBatch(t, b.journal)
	}
}

// checkNoBatch checks that the journal at p does not exist, or holds no
// operation and no history.
func checkNoBatch(t *testing.T, p string) {
	t.Helper()
	if _, err := os.Stat(p); os.IsNotExist(err) {
		return
	}
	j, err := journal.Open(p, journal.Options{ReadOnly: true})
	if err != nil {
		t.Fatalf("open journal: %v", err)
	}
	defer j.Close()
	err = j.View(func(tx *journal.Tx) error {
		if s := tx.NextSeq(); s > 1 {
			return fmt.Errorf("journal took in %d operations", s-1)
		}
		return tx.History(false, func(r *journal.Record) (bool, error) {
			return false, fmt.Errorf("journal holds record %d", r.ID)
		})
	})
	if err != nil {
		t.Error(err)
	}
}

func checkValid(t *testing.T, data []byte, spec string) {
	b := newBox(t, string(data), nil)
	code, plan, stderr := b.smswork("plan")
	if code != exitOK {
		t.Fatalf("plan: exit %d\n%s%s", code, plan, stderr)
	}
	if code, stdout, stderr := b.smswork("run"); code != exitOK {
		t.Fatalf("run: exit %d\n%s%s", code, stdout, stderr)
	}
	ini := b.read("SMS.INI")
	for _, line := range strings.Split(strings.TrimSpace(spec), "\n") {
		verb, arg, _ := strings.Cut(line, " ")
		switch verb {
		case "plan+", "plan-":
			if strings.Contains(plan, arg) != (verb == "plan+") {
				t.Errorf("%s: plan is\n%s", line, plan)
			}
		case "exists", "absent":
			if b.exists(arg) != (verb == "exists") {
				t.Errorf("%s: not so after run", line)
			}
		case "ini+":
			s, err := strconv.Unquote(`"` + arg + `"`)
			if err != nil {
				t.Fatalf("%s: %v", line, err)
			}
			if !strings.Contains(ini, s) {
				t.Errorf("%s: SMS.INI is %q", line, ini)
			}
		default:
			t.Fatalf("bad expectation %q", line)
		}
	}
}

// loadGen builds the input a .gen file describes, line by line: `text Q`
// appends the Go-quoted string Q, `repeat N Q` appends it N times; lines
// starting with # are comments.
func loadGen(t *testing.T, path string) []byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out bytes.Buffer
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		verb, rest, _ := strings.Cut(line, " ")
		count := 1
		if verb == "repeat" {
			var num string
			num, rest, _ = strings.Cut(rest, " ")
			if count, err = strconv.Atoi(num); err != nil {
				t.Fatalf("%s: %q: %v", path, line, err)
			}
		} else if verb != "text" {
			t.Fatalf("%s: %q: want text or repeat", path, line)
		}
		s, err := strconv.Unquote(rest)
		if err != nil {
			t.Fatalf("%s: %q: %v", path, line, err)
		}
		out.WriteString(strings.Repeat(s, count))
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}
