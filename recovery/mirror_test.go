package recovery

import (
	"slices"
	"testing"

	"smswork/smsini"
)

func TestSplitAppended(t *testing.T) {
	entries := func(texts ...string) []smsini.Entry {
		var es []smsini.Entry
		for _, s := range texts {
			es = append(es, smsini.Entry{Text: s})
		}
		return es
	}
	tests := []struct {
		name      string
		file      []string
		known     []string
		appended  []string
		wantExact bool
	}{
		{"nothing", nil, nil, nil, true},
		{"all known", []string{"a", "b"}, []string{"a", "b"}, nil, true},
		{"appended", []string{"a", "b", "c"}, []string{"a", "b"}, []string{"c"}, true},
		{"appended repeat", []string{"a", "a"}, []string{"a"}, []string{"a"}, true},
		{"fresh file", []string{"x"}, nil, []string{"x"}, true},
		{"known removed by hand", []string{"b", "c"}, []string{"a", "b"}, []string{"c"}, false},
		{"reordered by hand", []string{"b", "a", "d"}, []string{"a", "b"}, []string{"d"}, false},
		{"file emptied by hand", nil, []string{"a"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, exact := splitAppended(entries(tt.file...), tt.known)
			var texts []string
			for _, e := range got {
				texts = append(texts, e.Text)
			}
			if !slices.Equal(texts, tt.appended) || exact != tt.wantExact {
				t.Errorf("got %q exact=%v, want %q exact=%v", texts, exact, tt.appended, tt.wantExact)
			}
		})
	}
}
