package exec

import (
	"context"
	"strings"
	"testing"

	"smswork/ops"
)

func TestExecutor_RunNotFound(t *testing.T) {
	e := &Executor{}
	res := e.Execute(context.Background(), &ops.Op{Kind: ops.KindRun, Argv: []string{"no-such-program-smswork"}}, &ops.Intent{}, nil)
	if res.Outcome != ops.Failed || res.ExitCode != -1 || !strings.Contains(res.Err, "no-such-program-smswork") {
		t.Errorf("result %+v", res)
	}
}

func TestCappedBuffer(t *testing.T) {
	c := &cappedBuffer{max: 5}
	for _, s := range []string{"ab", "cdef", "gh"} {
		if n, err := c.Write([]byte(s)); n != len(s) || err != nil {
			t.Fatalf("Write(%q) = %d, %v", s, n, err)
		}
	}
	if string(c.buf) != "abcde" || !c.truncated {
		t.Errorf("kept %q, truncated %v", c.buf, c.truncated)
	}
}

func TestDOSProgramPath(t *testing.T) {
	p, ok := dosProgramPath(`c:\Tools\..\bin\x.exe`)
	if !ok || p != (ops.Path{Drive: "C", Rel: "bin/x.exe"}) {
		t.Errorf("got %v %v", p, ok)
	}
	if _, ok := dosProgramPath("cmd"); ok {
		t.Error("bare name taken as a drive path")
	}
}
