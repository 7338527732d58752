//go:build !windows

package pendmove

import "errors"

// ErrNoSessionManager: only Windows has a Session Manager to hand files to.
var ErrNoSessionManager = errors.New("no Session Manager: files in use are handed to the next boot on Windows only")

// System is this machine's Session Manager: on Unix there is none.
type System struct{}

// Register fails: there is no Session Manager here.
func (System) Register(_, _ string) error { return ErrNoSessionManager }

// Pending lists nothing: there is no Session Manager here.
func (System) Pending() ([]Pending, error) { return nil, nil }
