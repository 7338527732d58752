package fsroot

import (
	"os"
	"strings"
)

// LooksShort reports whether el is written as a generated 8.3 short name:
// a base of at most eight characters ending in `~` and digits (PROGRA~1,
// NETAPI~12), then an optional extension of one to three characters, and
// no other dot. Only such elements are looked up by short name.
func LooksShort(el string) bool {
	base, ext, hasExt := strings.Cut(el, ".")
	if hasExt && (len(ext) == 0 || len(ext) > 3 || strings.ContainsAny(ext, ". ")) {
		return false
	}
	t := strings.LastIndexByte(base, '~')
	if t < 1 || t == len(base)-1 || len(base) > 8 || strings.ContainsAny(base, " ") {
		return false
	}
	for _, c := range base[t+1:] {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// lookupShort returns the real name of the entry of folder dir whose 8.3
// short name is el (ASCII case ignored), from the folder's index, filling
// its short names on first use.
func (d *Drives) lookupShort(root *os.Root, drive, dir, el string) (string, bool, error) {
	st, err := root.Stat(relName(dir))
	if err != nil {
		if isNotExist(err) {
			return "", false, nil
		}
		return "", false, err
	}
	key := indexKey(drive, dir)
	d.mu.Lock()
	ix := d.index[key]
	var short map[string]string
	if ix != nil && ix.modTime.Equal(st.ModTime()) {
		short = ix.short
	}
	d.mu.Unlock()
	if short == nil {
		if short, err = shortNames(root, dir); err != nil {
			return "", false, err
		}
		d.mu.Lock()
		if ix := d.index[key]; ix != nil && ix.modTime.Equal(st.ModTime()) {
			ix.short = short
		}
		d.mu.Unlock()
	}
	real, ok := short[strings.ToUpper(el)]
	return real, ok, nil
}
