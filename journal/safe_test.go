package journal

import (
	"errors"
	"runtime/debug"
	"testing"

	bolt "go.etcd.io/bbolt"
)

// guarded runs fn under the journal's guard and returns what panicked
// through it and its error.
func guarded(fn func()) (repanic any, err error) {
	j := &Journal{path: "/the/journal"}
	defer func() { repanic = recover() }()
	err = j.guard("test", func() error { fn(); return nil })
	return nil, err
}

func TestGuard_BboltPanicIsDamage(t *testing.T) {
	// A zero DB is not mapped: bbolt's own assertion panics.
	p, err := guarded(func() { _ = (&bolt.DB{}).Info() })
	var de *DamageError
	if p != nil || !errors.As(err, &de) || de.Path != "/the/journal" || !errors.Is(err, ErrDamaged) {
		t.Fatalf("a panic inside bbolt: error %v, panic %v; want a DamageError naming the journal", err, p)
	}
}

func TestGuard_CallerBugsPanicOn(t *testing.T) {
	for name, fn := range map[string]func(){
		"closed channel": func() {
			c := make(chan int)
			close(c)
			close(c)
		},
		"nil pointer": func() {
			var e *Entry
			_ = e.Seq
		},
		"index": func() {
			s := []int{}
			i := 3
			_ = s[i]
		},
		"a value": func() { panic("the caller's own") },
	} {
		t.Run(name, func(t *testing.T) {
			p, err := guarded(fn)
			if p == nil || err != nil {
				t.Fatalf("a bug in the caller's code: error %v, panic %v; want the panic to go on", err, p)
			}
		})
	}
}

func TestGuard_RestoresPanicOnFault(t *testing.T) {
	old := debug.SetPanicOnFault(false)
	defer debug.SetPanicOnFault(old)
	seen := false
	_, _ = guarded(func() {
		seen = debug.SetPanicOnFault(true) // reads the setting inside
	})
	if !seen {
		t.Fatal("the guard did not ask for a panic on faults")
	}
	if debug.SetPanicOnFault(false) {
		t.Fatal("the guard left faults turned into panics")
	}
	_, _ = guarded(func() { panic("x") })
	if debug.SetPanicOnFault(false) {
		t.Fatal("a panic through the guard left faults turned into panics")
	}
}

func TestGuard_DamagePanicCarriesItsError(t *testing.T) {
	want := &DamageError{Path: "p", Findings: []error{errors.New("x")}}
	p, err := guarded(func() { panic(damagePanic{want}) })
	if p != nil || err != want {
		t.Fatalf("error %v, panic %v", err, p)
	}
}
