package recovery

import (
	"errors"
	"fmt"
	"strings"
)

// ErrBadInput is returned (wrapped in *InputError) when SMS.INI holds
// entries that do not parse: nothing new is executed.
var ErrBadInput = errors.New("SMS.INI holds entries that do not parse")

// InputError lists every entry of SMS.INI that does not parse, each naming
// file, line, column, position and text.
type InputError struct {
	Problems []error
}

func (e *InputError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad entr%s in SMS.INI", len(e.Problems), map[bool]string{true: "y", false: "ies"}[len(e.Problems) == 1])
	for _, p := range e.Problems {
		b.WriteString("\n  ")
		b.WriteString(p.Error())
	}
	return b.String()
}

// Unwrap lets errors.Is(err, ErrBadInput) hold.
func (e *InputError) Unwrap() error { return ErrBadInput }
