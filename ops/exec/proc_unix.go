//go:build !windows

package exec

import (
	"errors"
	"os"
	osexec "os/exec"
	"strconv"
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

// prepare makes the program lead a new process group, and marks every
// descriptor of smswork above stderr close-on-exec: Go opens its own so,
// but one inherited from smswork's parent (a shell's `exec 9>lock`, a
// service manager's) or opened by C code is not, and would reach the
// program.
func (*procTree) prepare(cmd *osexec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	closeOnExecFrom3()
}

// closeOnExecFrom3 sets close-on-exec on every open descriptor from 3 up,
// as listed by /dev/fd. Setting it on a descriptor that has it, or that a
// concurrent open reused, changes nothing.
func closeOnExecFrom3() {
	ents, err := os.ReadDir("/dev/fd")
	if err != nil {
		return
	}
	for _, e := range ents {
		if fd, err := strconv.Atoi(e.Name()); err == nil && fd > 2 {
			syscall.CloseOnExec(fd)
		}
	}
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
