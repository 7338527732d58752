//go:build windows

package perms

import (
	"fmt"
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Access rights of files and folders that x/sys/windows does not name.
const (
	fileWriteData   = 0x0002 // a file: write data; a folder: create files
	fileAppendData  = 0x0004 // a file: append; a folder: create subfolders
	fileDeleteChild = 0x0040 // a folder: delete what it holds
)

// trustedOwners are the owners accepted besides the user running smswork.
var trustedOwners = []windows.WELL_KNOWN_SID_TYPE{
	windows.WinLocalSystemSid,
	windows.WinBuiltinAdministratorsSid,
}

// trustedInstaller is the SID of the TrustedInstaller service, owner of
// system files.
const trustedInstaller = "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464"

// broadGroups are the trustees that may not have write access.
var broadGroups = []struct {
	sid  windows.WELL_KNOWN_SID_TYPE
	name string
}{
	{windows.WinWorldSid, "Everyone"},
	{windows.WinBuiltinUsersSid, "Users"},
	{windows.WinAuthenticatedUserSid, "Authenticated Users"},
}

// inspect applies the Windows rules of the package doc to path p in role
// r: the reason it fails them, or "". Folders above the target's folder
// are not checked.
func inspect(p string, r role) (string, error) {
	if r == roleParent {
		return "", nil
	}
	fi, err := os.Lstat(p)
	if err != nil {
		return "", err
	}
	sd, err := windows.GetNamedSecurityInfo(p, windows.SE_FILE_OBJECT,
		windows.OWNER_SECURITY_INFORMATION|windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return "", fmt.Errorf("read security descriptor: %w", err)
	}
	var reasons []string
	owner, _, err := sd.Owner()
	if err != nil {
		return "", fmt.Errorf("read owner: %w", err)
	}
	if ok, err := trustedOwner(owner); err != nil {
		return "", err
	} else if !ok {
		reasons = append(reasons, fmt.Sprintf("is owned by %s, not by SYSTEM, Administrators or the user running smswork", sidName(owner)))
	}
	dacl, _, err := sd.DACL()
	if err != nil {
		return "", fmt.Errorf("read DACL: %w", err)
	}
	if dacl == nil {
		return joinReasons(append(reasons, "has a NULL DACL, which lets everyone change it")), nil
	}
	bad := uint32(windows.WRITE_DAC | windows.WRITE_OWNER | windows.DELETE | windows.GENERIC_WRITE | windows.GENERIC_ALL)
	if fi.IsDir() {
		bad |= fileWriteData | fileDeleteChild
	} else {
		bad |= fileWriteData | fileAppendData
	}
	for i := range uint32(dacl.AceCount) {
		var ace *windows.ACCESS_ALLOWED_ACE
		if err := windows.GetAce(dacl, i, &ace); err != nil {
			return "", fmt.Errorf("read DACL entry %d: %w", i, err)
		}
		if ace.Header.AceType != windows.ACCESS_ALLOWED_ACE_TYPE || ace.Header.AceFlags&windows.INHERIT_ONLY_ACE != 0 {
			continue
		}
		mask := uint32(ace.Mask) & bad
		if mask == 0 {
			continue
		}
		sid := (*windows.SID)(unsafe.Pointer(&ace.SidStart))
		for _, g := range broadGroups {
			if sid.IsWellKnown(g.sid) {
				reasons = append(reasons, fmt.Sprintf("lets %s change it (access mask 0x%08X)", g.name, mask))
			}
		}
	}
	return joinReasons(reasons), nil
}

// trustedOwner reports whether sid is SYSTEM, Administrators,
// TrustedInstaller or the user of this process.
func trustedOwner(sid *windows.SID) (bool, error) {
	if sid == nil {
		return false, nil
	}
	for _, t := range trustedOwners {
		if sid.IsWellKnown(t) {
			return true, nil
		}
	}
	if strings.EqualFold(sid.String(), trustedInstaller) {
		return true, nil
	}
	tu, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return false, fmt.Errorf("read the user of this process: %w", err)
	}
	return tu.User.Sid.Equals(sid), nil
}

// sidName is `DOMAIN\name (S-1-...)`, or the SID alone.
func sidName(sid *windows.SID) string {
	if sid == nil {
		return "nobody"
	}
	if acct, dom, _, err := sid.LookupAccount(""); err == nil {
		if dom != "" {
			acct = dom + `\` + acct
		}
		return acct + " (" + sid.String() + ")"
	}
	return sid.String()
}
