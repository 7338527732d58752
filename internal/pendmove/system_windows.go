//go:build windows

package pendmove

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

// System is this machine's Session Manager.
type System struct{}

// Register asks Session Manager to rename host file src over dst at the
// next boot, or, with dst "", to delete src: MoveFileExW with
// MOVEFILE_DELAY_UNTIL_REBOOT | MOVEFILE_REPLACE_EXISTING, which appends
// the pair to PendingFileRenameOperations (administrators only).
func (System) Register(src, dst string) error {
	s, err := windows.UTF16PtrFromString(src)
	if err != nil {
		return fmt.Errorf("register %s for the next boot: %w", src, err)
	}
	var d *uint16
	if dst != "" {
		if d, err = windows.UTF16PtrFromString(dst); err != nil {
			return fmt.Errorf("register %s for the next boot: %w", dst, err)
		}
	}
	if err := windows.MoveFileEx(s, d, windows.MOVEFILE_DELAY_UNTIL_REBOOT|windows.MOVEFILE_REPLACE_EXISTING); err != nil {
		if dst == "" {
			return fmt.Errorf("register the delete of %s for the next boot (MoveFileEx): %w", src, err)
		}
		return fmt.Errorf("register the rename of %s over %s for the next boot (MoveFileEx): %w", src, dst, err)
	}
	return nil
}

// Pending reads PendingFileRenameOperations: every rename and delete
// Session Manager performs at the next boot, in order, whoever registered
// it. A missing value is an empty list.
func (System) Pending() ([]Pending, error) {
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, KeyPath, registry.QUERY_VALUE)
	if err != nil {
		return nil, fmt.Errorf(`read HKLM\%s: %w`, KeyPath, err)
	}
	defer k.Close()
	n, _, err := k.GetValue(ValueName, nil)
	if errors.Is(err, registry.ErrNotExist) {
		return nil, nil
	}
	if err != nil && !errors.Is(err, windows.ERROR_MORE_DATA) {
		return nil, fmt.Errorf(`read HKLM\%s\%s: %w`, KeyPath, ValueName, err)
	}
	buf := make([]byte, n)
	n, typ, err := k.GetValue(ValueName, buf)
	if errors.Is(err, registry.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf(`read HKLM\%s\%s: %w`, KeyPath, ValueName, err)
	}
	if typ != registry.MULTI_SZ {
		return nil, fmt.Errorf(`HKLM\%s\%s is of type %d, not REG_MULTI_SZ`, KeyPath, ValueName, typ)
	}
	return Parse(buf[:n]), nil
}
