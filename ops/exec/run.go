package exec

import (
	"context"
	"errors"
	"fmt"
	osexec "os/exec"
	"path"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"smswork/ops"
)

// runWaitDelay bounds how long a run waits for its output pipes to close
// once the program has exited or been killed: a background child that
// keeps them open does not hold the queue.
const runWaitDelay = 5 * time.Second

// MinimalEnv is the environment a run operation gets when Executor.Env is
// nil: nothing of smswork's own environment leaks into it. On Unix it is
// a standard PATH and LANG=C; on Windows the variables programs need to
// work at all (SystemRoot, SystemDrive, windir, ComSpec, PATH, TEMP, TMP,
// PATHEXT), copied from the current environment.
func MinimalEnv() []string { return minimalEnv() }

// runKind is any other entry: a program and its arguments, run directly.
type runKind struct{}

func (runKind) prepare(_ *Executor, op *ops.Op, _ uint64) (*ops.Intent, error) {
	if err := checkProgram(op); err != nil {
		return nil, err
	}
	return &ops.Intent{}, nil
}

func (runKind) check(op *ops.Op, _ *ops.Intent) error { return checkProgram(op) }

func (runKind) execute(ctx context.Context, e *Executor, op *ops.Op, _ *ops.Intent, _ func(*ops.Intent) error, res *ops.Result) {
	e.execRun(ctx, op, res)
}

// effects: unknown; a program may change anything.
func (runKind) effects(*ops.Op, *ops.Intent, *results) []Effect {
	return []Effect{{Change: Unknown}}
}

// checkProgram refuses a run operation with no program.
func checkProgram(op *ops.Op) error {
	if len(op.Argv) == 0 || op.Argv[0] == "" {
		return fmt.Errorf("%w: run with no program", ErrUnsupported)
	}
	return nil
}

// execRun runs op.Argv directly, with no shell, under the time limit:
// stdin is the null device, stdout and stderr are kept up to MaxOutput
// bytes each (the rest is read and dropped), and no other descriptor is
// inherited. The program runs in its own process group; at the time limit
// (or when ctx ends) the whole group is killed.
func (e *Executor) execRun(ctx context.Context, op *ops.Op, res *ops.Result) {
	res.ExitCode = -1
	env := e.Env
	if env == nil {
		env = MinimalEnv()
	}
	prog, dir, err := e.program(op.Argv[0], env)
	if err != nil {
		setFailed(res, err)
		return
	}
	limit := e.opTimeout()
	runCtx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()

	tree, err := newProcTree()
	if err != nil {
		setFailed(res, fmt.Errorf("run %s: %w", op.Argv[0], err))
		return
	}
	defer tree.close()
	cmd := osexec.CommandContext(runCtx, prog)
	cmd.Args = append([]string{op.Argv[0]}, op.Argv[1:]...)
	cmd.Env = env
	cmd.Dir = dir
	stdout := &cappedBuffer{max: e.maxOutput()}
	stderr := &cappedBuffer{max: e.maxOutput()}
	cmd.Stdout, cmd.Stderr = stdout, stderr
	tree.prepare(cmd)
	cmd.Cancel = func() error { return tree.kill(cmd.Process) }
	cmd.WaitDelay = runWaitDelay

	e.failpoint("run.before-start")
	if err := cmd.Start(); err != nil {
		setFailed(res, fmt.Errorf("start %s: %w", op.Argv[0], err))
		return
	}
	if err := tree.attach(cmd.Process); err != nil {
		e.Log.Debug().Err(err).Msg("process not attached to its group; a time limit kills only the program")
	}
	werr := cmd.Wait()
	res.Stdout, res.Stderr = string(stdout.buf), string(stderr.buf)
	res.Truncated = stdout.truncated || stderr.truncated
	code := -1
	if cmd.ProcessState != nil {
		code = cmd.ProcessState.ExitCode()
	}
	switch {
	case runCtx.Err() != nil && (code != 0 || werr != nil):
		res.ExitCode = -1
		switch {
		case ctx.Err() != nil:
			// The run ended first (its deadline, a signal): say why.
			setFailed(res, fmt.Errorf("%s: killed: %w", op.Argv[0], context.Cause(ctx)))
		case errors.Is(runCtx.Err(), context.DeadlineExceeded):
			res.TimedOut = true
			setFailed(res, fmt.Errorf("%s: killed at its time limit of %s", op.Argv[0], limit))
		default:
			setFailed(res, fmt.Errorf("%s: killed: %w", op.Argv[0], runCtx.Err()))
		}
	case code == 0:
		// A background child holding the pipes past WaitDelay
		// (osexec.ErrWaitDelay) does not make the program fail.
		res.ExitCode = 0
		res.Outcome = ops.Done
	case code > 0:
		res.ExitCode = code
		setFailed(res, fmt.Errorf("%s: exit status %d", op.Argv[0], code))
	default:
		setFailed(res, fmt.Errorf("%s: %w", op.Argv[0], werr))
	}
	e.syncRunEffects(op, res)
}

// program finds the host file to execute for argv0 and the folder to run
// it in: a drive path is mapped through its drive (and must stay inside
// it) and runs in the drive's root; a native absolute path runs as is; a
// bare name is looked up in the PATH of env; both run in "/" (Unix) or
// the system drive (Windows).
func (e *Executor) program(argv0 string, env []string) (prog, dir string, err error) {
	if p, ok := dosProgramPath(argv0); ok {
		if e.Drives == nil {
			return "", "", fmt.Errorf("%w: %s", ErrDriveUnmapped, argv0)
		}
		if p, err = e.Drives.Resolve(p); err != nil {
			return "", "", err
		}
		root, err := e.Drives.Root(p.Drive)
		if err != nil {
			return "", "", err
		}
		if _, err := root.Stat(ops.RootName(p.Rel)); err != nil {
			return "", "", fmt.Errorf("program %s: %w", p, err)
		}
		if prog, err = e.Drives.HostPath(p); err != nil {
			return "", "", err
		}
		if dir, err = e.Drives.HostPath(ops.Path{Drive: p.Drive}); err != nil {
			return "", "", err
		}
		return prog, dir, nil
	}
	if strings.ContainsAny(argv0, `/\`) {
		if !filepath.IsAbs(argv0) {
			return "", "", fmt.Errorf("%w: program %q: a relative path", ErrBadPath, argv0)
		}
		return argv0, defaultWorkDir(), nil
	}
	prog, err = lookPath(argv0, envValue(env, "PATH"))
	if err != nil {
		return "", "", err
	}
	return prog, defaultWorkDir(), nil
}

// dosProgramPath parses `C:\dir\prog.exe` into a ops.Path.
func dosProgramPath(s string) (ops.Path, bool) {
	if len(s) < 3 || !isLetter(s[0]) || s[1] != ':' || (s[2] != '\\' && s[2] != '/') {
		return ops.Path{}, false
	}
	rel := path.Clean("/" + strings.ReplaceAll(s[2:], `\`, "/"))
	return ops.Path{Drive: strings.ToUpper(s[:1]), Rel: strings.TrimPrefix(rel, "/")}, true
}

// lookPath finds a bare program name in the folders of pathList, as
// osexec.LookPath does in the process's own PATH. Relative folders are
// skipped.
func lookPath(name, pathList string) (string, error) {
	for _, d := range filepath.SplitList(pathList) {
		if d == "" || !filepath.IsAbs(d) {
			continue
		}
		if p, err := osexec.LookPath(filepath.Join(d, name)); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("program %q not found in PATH %q: %w", name, pathList, osexec.ErrNotFound)
}

// envValue returns the last value of key in env (names compare without
// case on Windows).
func envValue(env []string, key string) string {
	val := ""
	for _, kv := range env {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		if k == key || (runtime.GOOS == "windows" && strings.EqualFold(k, key)) {
			val = v
		}
	}
	return val
}

// cappedBuffer keeps the first max bytes written to it and drops the
// rest, still accepting it so that the writer is drained.
type cappedBuffer struct {
	max       int
	buf       []byte
	truncated bool
}

func (c *cappedBuffer) Write(p []byte) (int, error) {
	room := c.max - len(c.buf)
	switch {
	case room >= len(p):
		c.buf = append(c.buf, p...)
	case room > 0:
		c.buf = append(c.buf, p[:room]...)
		c.truncated = true
	case len(p) > 0:
		c.truncated = true
	}
	return len(p), nil
}

// isLetter reports whether c is an ASCII letter (a drive letter).
func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
