package journal

import (
	"encoding/json"
	"unicode/utf8"
)

// An entry's raw text is SMS.INI's bytes, which need not be UTF-8 (old ANSI
// code pages). encoding/json would replace such bytes with U+FFFD, and
// recovery would then fail to recognise the entry in SMS.INI; so raw text
// that is not UTF-8 is stored in base64 as "raw64" (first member, so that
// a record's hash stays its last), and valid text as usual.

// MarshalJSON encodes e with its raw text kept byte for byte.
func (e Entry) MarshalJSON() ([]byte, error) {
	type plain Entry
	v := struct {
		Raw64 []byte `json:"raw64,omitempty"`
		plain
	}{plain: plain(e)}
	if !utf8.ValidString(e.Raw) {
		v.Raw64, v.Raw = []byte(e.Raw), ""
	}
	return json.Marshal(v)
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (e *Entry) UnmarshalJSON(b []byte) error {
	type plain Entry
	var v struct {
		Raw64 []byte `json:"raw64"`
		plain
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*e = Entry(v.plain)
	if v.Raw64 != nil {
		e.Raw = string(v.Raw64)
	}
	return nil
}

// decodeEntry decodes a stored entry into e: Entry's UnmarshalJSON,
// which validates v as it decodes, without json.Unmarshal's first pass
// over all of v.
func decodeEntry(v []byte, e *Entry) error { return e.UnmarshalJSON(v) }

// MarshalJSON encodes r with its raw text kept byte for byte.
func (r Record) MarshalJSON() ([]byte, error) {
	type plain Record
	v := struct {
		Raw64 []byte `json:"raw64,omitempty"`
		plain
	}{plain: plain(r)}
	if !utf8.ValidString(r.Raw) {
		v.Raw64, v.Raw = []byte(r.Raw), ""
	}
	return json.Marshal(v)
}

// UnmarshalJSON decodes what MarshalJSON wrote.
func (r *Record) UnmarshalJSON(b []byte) error {
	type plain Record
	var v struct {
		Raw64 []byte `json:"raw64"`
		plain
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*r = Record(v.plain)
	if v.Raw64 != nil {
		r.Raw = string(v.Raw64)
	}
	return nil
}
