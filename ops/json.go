package ops

import (
	"encoding/json"
	"unicode/utf8"
)

// Paths and arguments are bytes as SMS.INI held them: old ANSI code pages
// are not UTF-8, and encoding/json would replace such bytes with U+FFFD,
// so that a journaled operation would name another file than its entry.
// A Path or an Op whose text is not valid UTF-8 is therefore stored with
// that text in base64 ("rel64", "argv64", "newName64"); valid text stays
// readable.

// MarshalJSON encodes p losslessly.
func (p Path) MarshalJSON() ([]byte, error) {
	type plain Path
	if utf8.ValidString(p.Rel) {
		return json.Marshal(plain(p))
	}
	return json.Marshal(struct {
		Drive string `json:"drive,omitempty"`
		Rel64 []byte `json:"rel64"`
	}{p.Drive, []byte(p.Rel)})
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (p *Path) UnmarshalJSON(b []byte) error {
	var v struct {
		Drive string  `json:"drive"`
		Rel   string  `json:"rel"`
		Rel64 *[]byte `json:"rel64"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	p.Drive, p.Rel = v.Drive, v.Rel
	if v.Rel64 != nil {
		p.Rel = string(*v.Rel64)
	}
	return nil
}

// MarshalJSON encodes o losslessly.
func (o Op) MarshalJSON() ([]byte, error) {
	type plain Op
	v := struct {
		plain
		Argv64    [][]byte `json:"argv64,omitempty"`
		NewName64 []byte   `json:"newName64,omitempty"`
	}{plain: plain(o)}
	if !ValidText(o.Argv...) {
		v.Argv = nil
		for _, a := range o.Argv {
			v.Argv64 = append(v.Argv64, []byte(a))
		}
	}
	if !ValidText(o.NewName) {
		v.NewName, v.NewName64 = "", []byte(o.NewName)
	}
	return json.Marshal(v)
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (o *Op) UnmarshalJSON(b []byte) error {
	type plain Op
	var v struct {
		plain
		Argv64    [][]byte `json:"argv64"`
		NewName64 *[]byte  `json:"newName64"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*o = Op(v.plain)
	if v.NewName64 != nil {
		o.NewName = string(*v.NewName64)
	}
	if v.Argv64 != nil {
		o.Argv = make([]string, len(v.Argv64))
		for i, a := range v.Argv64 {
			o.Argv[i] = string(a)
		}
	}
	return nil
}

// ValidText reports whether every s is valid UTF-8 (and so survives JSON).
func ValidText(ss ...string) bool {
	for _, s := range ss {
		if !utf8.ValidString(s) {
			return false
		}
	}
	return true
}
