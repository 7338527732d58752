package fsroot

import (
	"fmt"
	"os"
	"strings"
	"time"

	"smswork/ops"
)

// DOS names are case-insensitive: on a case-sensitive file system, an
// element that does not exist as written is looked up in its folder's
// listing. Listing a folder for every operation would make a queue that
// copies many files into one folder (system32) quadratic, so Drives keeps
// each folder's names, indexed by lower case, for as long as the folder's
// modification time says it has not changed; the executor refreshes the
// names it changed itself (refreshAfter), and drops every index after a
// run operation, which may change anything.

// dirIndex is a folder's entry names by lower case.
type dirIndex struct {
	modTime time.Time
	names   map[string][]string
	// short maps upper-case 8.3 short names to real names, read on the
	// first short-name lookup in the folder (nil until then).
	short map[string]string
}

func indexKey(drive, dir string) string { return drive + "\x00" + dir }

// lookupFold returns the real name of the entry of folder dir (of drive's
// root) whose name equals el but for case: exists is false when there is
// none, and more than one is an error.
func (d *Drives) lookupFold(root *os.Root, drive, dir, el string) (string, bool, error) {
	st, err := root.Stat(relName(dir))
	if err != nil {
		if isNotExist(err) {
			return "", false, nil
		}
		return "", false, err
	}
	d.mu.Lock()
	ix := d.index[indexKey(drive, dir)]
	d.mu.Unlock()
	if ix == nil || !ix.modTime.Equal(st.ModTime()) {
		if ix, err = listFolder(root, dir, st.ModTime()); err != nil {
			return "", false, err
		}
		d.mu.Lock()
		if d.index == nil {
			d.index = map[string]*dirIndex{}
		}
		d.index[indexKey(drive, dir)] = ix
		d.listings++
		d.mu.Unlock()
	}
	var match string
	n := 0
	for _, name := range ix.names[strings.ToLower(el)] {
		if strings.EqualFold(name, el) {
			match = name
			n++
		}
	}
	switch n {
	case 0:
		return "", false, nil
	case 1:
		return match, true, nil
	default:
		return "", false, fmt.Errorf("%w: %d entries match %q", ErrAmbiguous, n, el)
	}
}

// listFolder reads folder dir of root into an index.
func listFolder(root *os.Root, dir string, modTime time.Time) (*dirIndex, error) {
	ix := &dirIndex{modTime: modTime, names: map[string][]string{}}
	err := EachEntry(root, dir, func(e os.DirEntry) error {
		k := strings.ToLower(e.Name())
		ix.names[k] = append(ix.names[k], e.Name())
		return nil
	})
	if err != nil {
		return nil, err
	}
	return ix, nil
}

// refresh brings the index of p's folder, if there is one, up to date
// with p's own presence and the folder's new modification time, and drops
// the indexes of folders under p when p is gone. Each ancestor of p is
// refreshed too (md creates several levels).
func (d *Drives) refresh(p ops.Path) {
	root, err := d.Root(p.Drive)
	if err != nil || p.Rel == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.index) == 0 {
		return
	}
	elems := strings.Split(p.Rel, "/")
	for i := range elems {
		dir, name := strings.Join(elems[:i], "/"), elems[i]
		key := indexKey(p.Drive, dir)
		ix := d.index[key]
		if ix == nil {
			continue
		}
		st, err := d.folderStatLocked(root, p.Drive, dir)
		if err != nil {
			delete(d.index, key)
			continue
		}
		k := strings.ToLower(name)
		names := ix.names[k][:0:0]
		for _, n := range ix.names[k] {
			if n != name {
				names = append(names, n)
			}
		}
		if f, n := d.atLocked(root, p.Drive, joinRel(dir, name)); lstatOK(f, n) {
			names = append(names, name)
		}
		if len(names) == 0 {
			delete(ix.names, k)
		} else {
			ix.names[k] = names
		}
		ix.short = nil
		ix.modTime = st.ModTime()
	}
	if f, n := d.atLocked(root, p.Drive, p.Rel); !lstatOK(f, n) {
		prefix := indexKey(p.Drive, p.Rel)
		for k := range d.index {
			if k == prefix || strings.HasPrefix(k, prefix+"/") {
				delete(d.index, k)
			}
		}
	}
}

// lstatOK reports whether name of root can be looked at.
func lstatOK(root *os.Root, name string) bool {
	_, err := root.Lstat(name)
	return err == nil
}

// Forget drops every folder index, and closes every folder handle of the
// open scope (after a program ran, which may have changed anything).
func (d *Drives) Forget() {
	d.mu.Lock()
	d.index = nil
	if d.scope != nil {
		for k, f := range d.scope.folders {
			f.close()
			delete(d.scope.folders, k)
		}
	}
	d.mu.Unlock()
}

// Listings reports how many folder listings case-insensitive resolution has
// read so far: the measure of the index's worth (a queue copying many files
// into one folder lists it once, not once a file).
func (d *Drives) Listings() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.listings
}

// Indexed reports how many folders case-insensitive resolution holds an
// index of.
func (d *Drives) Indexed() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.index)
}
