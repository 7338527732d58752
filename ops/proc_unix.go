//go:build !windows

package ops

import (
	"errors"
	"os"
	"os/exec"
	"syscall"
)

func minimalEnv() []string {
	return []string{"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG=C"}
}

// defaultWorkDir is the working folder of a program not on a drive.
func defaultWorkDir() string { return "/" }

// procTree is the process group of a run: the program is its leader, and
// its children stay in it unless they leave on purpose.
type procTree struct{}

func newProcTree() (*procTree, error) { return &procTree{}, nil }

// prepare makes the program lead a new process group.
func (*procTree) prepare(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

func (*procTree) attach(*os.Process) error { return nil }

// kill sends SIGKILL to the program's whole process group.
func (*procTree) kill(p *os.Process) error {
	err := syscall.Kill(-p.Pid, syscall.SIGKILL)
	if errors.Is(err, syscall.ESRCH) {
		return os.ErrProcessDone
	}
	return err
}

func (*procTree) close() {}
