package crashtest

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
)

// Workload is a starting file tree and an SMS.INI whose queue changes it.
type Workload struct {
	// Files are the starting files, by slash path under the sandbox
	// (c/..., d/...); a path ending in "/" is an empty folder.
	Files map[string][]byte
	// Ini is SMS.INI's starting content.
	Ini []byte
	// Entries is the queue in Ini.
	Entries []string
	// Appended are the entries a run operation appends half way with
	// `smswork add`.
	Appended []string
}

// iniHead and iniTail surround PendingWork: every byte of them must survive.
const (
	iniHead = "; SMS client configuration\r\n[SMS]\r\nSiteCode = S01\r\n\r\n[sms work]\r\n# queued by setup\r\n"
	iniTail = "\r\n[Other]\r\nKey=Value ; not a comment\r\n"
)

// Reference returns the reference workload for sandbox s: 33 entries
// mixing copies of small and multi-MiB files (over existing targets and
// with wildcards), dels (wildcards, an absent file), moves within and
// across folders and drives, md and rd, run operations that bump counter
// files (appending a line without syncing it), and a run operation that
// appends entries with `smswork add`.
func Reference(s *Sandbox) *Workload {
	rng := rand.New(rand.NewPCG(1, 2))
	blob := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.UintN(256))
		}
		return b
	}
	w := &Workload{Files: map[string][]byte{
		"c/temp/netapi.dll":           []byte("NETAPI v2\n"),
		"c/windows/system/netapi.dll": []byte("NETAPI v1, in use\n"),
		"c/temp/big1.bin":             blob(3 << 20),
		"c/temp/big2.bin":             blob(5<<20 + 123),
		"c/windows/system/big1.bin":   blob(1 << 20),
		"c/temp/drivers/a.sys":        []byte("driver a\n"),
		"c/temp/drivers/b.sys":        []byte("driver b\n"),
		"c/temp/drivers/c.SYS":        []byte("driver c\n"),
		"c/temp/drivers/readme.txt":   []byte("not a driver\n"),
		"c/temp/logs/1.log":           []byte("log 1\n"),
		"c/temp/logs/2.log":           []byte("log 2\n"),
		"c/temp/logs/keep.txt":        []byte("keep\n"),
		"c/data/old1.txt":             []byte("renamed in place\n"),
		"c/data/moveme.txt":           []byte("moved to another folder\n"),
		"c/data/tod.txt":              []byte("moved to drive D\n"),
		"c/data/big3.bin":             blob(2 << 20),
		"c/olddir/":                   nil,
		"c/olddir2/sub/":              nil,
		"d/":                          nil,
	}}
	bump := func(name string) string {
		return fmt.Sprintf("sh %s %s", filepath.Join(s.Counters, "bump.sh"), name)
	}
	// The last appended entry repeats one already run: recovery must tell
	// an appended repeat from a committed entry SMS.INI still lists.
	w.Appended = []string{`md c:\added`, bump("r-added"), `md c:\archive`}
	w.Entries = []string{
		`copy c:\temp\netapi.dll c:\windows\system\netapi.dll /y`,
		`del c:\temp\netapi.dll`,
		`md c:\windows\system\drivers`,
		`copy c:\temp\drivers\*.sys c:\windows\system\drivers`,
		bump("r1"),
		`copy c:\temp\big1.bin c:\windows\system\big1.bin`,
		`md "c:\program files\app"`,
		`copy c:\temp\big2.bin "c:\program files\app\big2.bin" /v`,
		`del c:\temp\big1.bin`,
		`del c:\temp\logs\*.log`,
		`del c:\temp\absent.txt`,
		`move c:\data\old1.txt c:\data\new1.txt`,
		`md c:\archive`,
		`move c:\data\moveme.txt c:\archive\moveme.txt`,
		bump("r2"),
		fmt.Sprintf("sh %s", filepath.Join(s.Counters, "add.sh")),
		`move c:\data\tod.txt d:\tod.txt`,
		`move c:\data\big3.bin d:\big3.bin`,
		`rd c:\olddir`,
		`rd c:\olddir2 /s /q`,
		`copy c:\WINDOWS\System\NETAPI.DLL c:\archive\netapi.bak`,
		`copy c:\archive\netapi.bak c:\archive\netapi.bak2 /-y`,
		`del c:\archive\netapi.bak`,
		bump("r3"),
		`md c:\archive\deep\er\still`,
		`copy c:\temp\logs\keep.txt c:\archive\deep\er\still`,
		`del c:\temp\logs\keep.txt`,
		`rd c:\temp\logs`,
		`copy c:\temp\drivers\readme.txt d:\readme.txt`,
		`move c:\temp\drivers\readme.txt c:\archive\readme.txt`,
		`del c:\temp\drivers\*.*`,
		`rd c:\temp\drivers`,
		bump("r4"),
	}
	w.Ini = []byte(iniHead + "PendingWork=" + strings.Join(w.Entries[:2], ",\r\n") + ", " + strings.Join(w.Entries[2:], ", ") + iniTail)
	return w
}

// Install writes the workload's files, SMS.INI and helper scripts into s.
func (w *Workload) Install(s *Sandbox) error {
	for name, data := range w.Files {
		p := filepath.Join(s.Dir, filepath.FromSlash(name))
		if strings.HasSuffix(name, "/") {
			if err := os.MkdirAll(p, 0o755); err != nil {
				return err
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return err
		}
	}
	scripts := map[string]string{
		"bump.sh": "#!/bin/sh\necho x >> \"$(dirname \"$0\")/$1\"\n",
		// add.sh appends two entries half way through the queue, as an
		// installer would while smswork runs (with the drive mappings:
		// add refuses entries for a drive that has none).
		"add.sh": fmt.Sprintf("#!/bin/sh\nset -e\n%q --ini %q --drive C=%s --drive D=%s add %q %q %q\necho x >> %q\n",
			s.Bin, s.Ini, s.C, s.D, w.Appended[0], w.Appended[1], w.Appended[2], filepath.Join(s.Counters, "r-add")),
	}
	for name, body := range scripts {
		if err := os.WriteFile(filepath.Join(s.Counters, name), []byte(body), 0o755); err != nil {
			return err
		}
	}
	return os.WriteFile(s.Ini, w.Ini, 0o644)
}

// AllEntries is the whole queue: the entries, then the appended ones.
func (w *Workload) AllEntries() []string {
	return append(append([]string{}, w.Entries...), w.Appended...)
}
