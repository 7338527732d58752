//go:build windows

package exec

import (
	"os"
	osexec "os/exec"
	"syscall"

	"golang.org/x/sys/windows"
)

func minimalEnv() []string {
	var env []string
	for _, k := range []string{"SystemRoot", "SystemDrive", "windir", "ComSpec", "PATH", "TEMP", "TMP", "PATHEXT"} {
		if v, ok := os.LookupEnv(k); ok {
			env = append(env, k+"="+v)
		}
	}
	return env
}

// defaultWorkDir is the working folder of a program not on a drive: the
// root of the system drive.
func defaultWorkDir() string {
	d := os.Getenv("SystemDrive")
	if d == "" {
		d = "C:"
	}
	return d + `\`
}

// procTree is a job object holding the program and the processes it
// starts, so that a time limit ends them all. Closing it does not kill
// what remains: a program may leave a service running on purpose.
type procTree struct{ job windows.Handle }

func newProcTree() (*procTree, error) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		// Without a job the program alone is killed at its limit.
		return &procTree{}, nil

	}
	return &procTree{job: job}, nil
}

// prepare starts the program in a new process group.
func (*procTree) prepare(cmd *osexec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.CREATE_NEW_PROCESS_GROUP}
}

// attach puts the started program into the job; children it starts from
// then on are in the job too.
func (t *procTree) attach(p *os.Process) error {
	if t.job == 0 {
		return nil
	}
	h, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(p.Pid))
	if err != nil {
		return err
	}
	defer windows.CloseHandle(h)
	return windows.AssignProcessToJobObject(t.job, h)
}

// kill terminates every process of the job, and the program itself in
// case it could not be put into the job.
func (t *procTree) kill(p *os.Process) error {
	if t.job != 0 {
		_ = windows.TerminateJobObject(t.job, 1)
	}
	return p.Kill()
}

func (t *procTree) close() {
	if t.job != 0 {
		_ = windows.CloseHandle(t.job)
	}
}
