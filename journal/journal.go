package journal

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"

	"smswork/internal/filelock"
	"smswork/internal/fsroot"
)

// SchemaVersion is the on-disk format version this package writes.
const SchemaVersion = 1

var (
	bucketMeta    = []byte("meta")
	bucketBatches = []byte("batches")
	bucketQueue   = []byte("queue")
	bucketHistory = []byte("history")
	bucketUndo    = []byte("undo")

	keyVersion      = []byte("version")
	keyNextSeq      = []byte("nextSeq")
	keyNextBatch    = []byte("nextBatch")
	keyNextRec      = []byte("nextRec")
	keyHead         = []byte("head")
	keyMirror       = []byte("mirror")
	keyUndoing      = []byte("undoing")
	keyBackupSum    = []byte("backupBytes")
	keyPrunePending = []byte("prunePending")
)

// ReaderWait bounds how long a writer that holds the writers' lock waits
// for readers (status, history, plan, verify: each holds bbolt's shared
// lock for as long as it reads) to let go of the file: a monitoring check
// that reads the journal every minute must never make a boot's run fail.
const ReaderWait = 5 * time.Second

// Options tunes Open.
type Options struct {
	// LockTimeout bounds the wait for another process's lock; 0 means
	// 100ms (a second writer must fail fast, not wait for a boot). A
	// writer that has the writers' lock waits up to ReaderWait (or
	// LockTimeout, if longer) for readers.
	LockTimeout time.Duration
	// ReadOnly opens the journal for reading (status, history, verify):
	// a shared lock, no changes, and a missing file is ErrNotFound.
	ReadOnly bool
	// Host and Version are written into each history record.
	Host, Version string
	// Parse, when set, is the command language's parser (ops.Parse):
	// Open then checks that each queue entry's text parses to the
	// operation stored with it, so that a byte flipped in either, which
	// bbolt cannot see, is damage and not an operation run as it reads.
	Parse ParseFunc
}

// Journal is an open journal file.
type Journal struct {
	db   *bolt.DB
	path string
	opts Options
	// lock is the writers' lock (path.lock), held from Open to Close by a
	// journal opened for writing, across Prune's swap of the file.
	lock *filelock.Lock
	// full lists the buckets whose every page was checked (Tx.checked).
	fullMu sync.Mutex
	full   map[string]bool
}

// Open opens the journal at path, creating and initialising it if needed.
//
// A writer first takes the writers' lock, the file path+".lock" (never
// removed), then bbolt's own lock on the journal: the first is what keeps
// a second writer out while Prune swaps a compacted copy in, when bbolt's
// lock is briefly released. A writer removes a compacted copy
// (path+".compact") that a prune interrupted by a crash left behind.
//
// A file that exists but is shorter than bbolt's four initial pages was
// caught by a power loss during its very first initialisation (bbolt's
// README caveat): it holds nothing, so it is kept aside as path.broken-TIME
// and a new journal is created. Any other unreadable journal is an error:
// it may hold the truth, and a person must look.
//
// Before anything reads the journal, the pages every command needs are
// checked (pagecheck.go): a damaged journal is an error wrapping
// ErrDamaged (a *DamageError naming the file and what is damaged), and
// so is any panic or memory fault of bbolt on it (safe.go).
func Open(path string, opts Options) (*Journal, error) {
	if opts.LockTimeout == 0 {
		opts.LockTimeout = 100 * time.Millisecond
	}
	j := &Journal{path: path, opts: opts}
	if !opts.ReadOnly {
		if err := j.lockWriters(); err != nil {
			return nil, err
		}
		err := removeLeftoverCompact(path)
		if err == nil {
			err = setAsideUninitialised(path)
		}
		if err != nil {
			_ = j.lock.Unlock()
			return nil, err
		}
	} else if st, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("journal %s: %w", path, err)
	} else if st.Size() < int64(4*os.Getpagesize()) {
		if err := cutShort(path); err != nil {
			return nil, err
		}
		// A crash while the first run created it: it holds nothing
		// (that run sets it aside when it starts again).
		return nil, fmt.Errorf("journal %s was never initialised: %w", path, os.ErrNotExist)
	}
	if err := j.openDB(); err != nil {
		_ = j.lock.Unlock()
		return nil, err
	}
	return j, nil
}

// lockWriters takes the writers' lock within LockTimeout.
func (j *Journal) lockWriters() error {
	ctx, cancel := context.WithTimeout(context.Background(), j.opts.LockTimeout)
	defer cancel()
	l, err := filelock.Acquire(ctx, j.path+".lock")
	if errors.Is(err, filelock.ErrTimeout) {
		return fmt.Errorf("journal %s: %w", j.path, ErrLocked)
	}
	if err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	j.lock = l
	return nil
}

// openDB opens the bbolt file, creates and initialises it if needed, and
// checks its schema version.
func (j *Journal) openDB() error {
	_, statErr := os.Stat(j.path)
	created := errors.Is(statErr, os.ErrNotExist)
	timeout := j.opts.LockTimeout
	if !j.opts.ReadOnly {
		// No other writer (the writers' lock is ours): only readers,
		// which let go soon, can hold bbolt's lock now.
		timeout = max(timeout, ReaderWait)
	}
	if err := truncated(j.path); err != nil {
		return err
	}
	var db *bolt.DB
	err := j.guard("open", func() (err error) {
		db, err = bolt.Open(j.path, 0o600, &bolt.Options{Timeout: timeout, ReadOnly: j.opts.ReadOnly})
		return err
	})
	if errors.Is(err, berrors.ErrTimeout) {
		return fmt.Errorf("journal %s: %w", j.path, ErrLocked)
	}
	if err != nil {
		return openError(j.path, err)
	}
	j.db = db
	j.full = map[string]bool{}
	// bbolt's lock is held: no writer changes the file under the check.
	if err := j.checkOpen(); err != nil {
		_ = db.Close()
		return err
	}
	if created {
		// bbolt does not sync the folder of a file it creates.
		if err := fsroot.SyncDir(filepath.Dir(j.path)); err != nil {
			_ = db.Close()
			return err
		}
	}
	if j.opts.ReadOnly {
		err = j.checkVersion()
	} else {
		err = j.init()
	}
	if err != nil {
		_ = db.Close()
		return err
	}
	return nil
}

// removeLeftoverCompact removes the compacted copy of an interrupted
// prune: the journal itself is complete, the copy is only space.
func removeLeftoverCompact(path string) error {
	err := os.Remove(compactPath(path))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("remove leftover compacted journal: %w", err)
	}
	return fsroot.SyncDir(filepath.Dir(path))
}

// setAsideUninitialised moves away a journal file too short to have ever
// been initialised, so Open can create it anew.
func setAsideUninitialised(path string) error {
	st, err := os.Stat(path)
	if err != nil || st.Size() >= int64(4*os.Getpagesize()) {
		return nil
	}
	if err := cutShort(path); err != nil {
		return err
	}
	aside := path + ".broken-" + time.Now().UTC().Format("20060102T150405")
	if err := fsroot.Rename(path, aside); err != nil {
		return fmt.Errorf("set aside uninitialised journal: %w", err)
	}
	return fsroot.SyncDir(filepath.Dir(path))
}

func (j *Journal) init() error {
	// The common case, every boot: nothing to create, nothing to write
	// (an Update would commit, and fdatasync, even with no change).
	ready := false
	err := j.boltView(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketBatches, bucketQueue, bucketHistory, bucketUndo, bucketCounts} {
			if tx.Bucket(name) == nil {
				return nil
			}
		}
		v := tx.Bucket(bucketMeta).Get(keyVersion)
		if v == nil {
			return nil
		}
		ready = true
		return versionOK(v)
	})
	if err != nil {
		return fmt.Errorf("open journal %s: %w", j.path, err)
	}
	if ready {
		return nil
	}
	err = j.boltUpdate(func(tx *bolt.Tx) error {
		for _, name := range [][]byte{bucketMeta, bucketBatches, bucketQueue, bucketHistory, bucketUndo} {
			if _, err := tx.CreateBucketIfNotExists(name); err != nil {
				return err
			}
		}
		if err := ensureCounts(tx); err != nil {
			return err
		}
		meta := tx.Bucket(bucketMeta)
		v := meta.Get(keyVersion)
		if v == nil {
			if err := meta.Put(keyVersion, []byte(strconv.Itoa(SchemaVersion))); err != nil {
				return err
			}
			for _, k := range [][]byte{keyNextSeq, keyNextBatch, keyNextRec} {
				if err := meta.Put(k, u64(1)); err != nil {
					return err
				}
			}
			return nil
		}
		return versionOK(v)
	})
	if err != nil {
		return fmt.Errorf("initialise journal %s: %w", j.path, err)
	}
	return nil
}

func (j *Journal) checkVersion() error {
	return j.boltView(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil || meta.Get(keyVersion) == nil {
			// The first run's initialising transaction never committed.
			return fmt.Errorf("journal %s was never initialised: %w", j.path, os.ErrNotExist)
		}
		return versionOK(meta.Get(keyVersion))
	})
}

func versionOK(v []byte) error {
	n, err := strconv.Atoi(string(v))
	if err != nil {
		return fmt.Errorf("schema version %q: %w", v, ErrCorrupt)
	}
	if n > SchemaVersion {
		return fmt.Errorf("schema version %d: %w", n, ErrVersion)
	}
	return nil
}

// Path returns the journal's file name.
func (j *Journal) Path() string { return j.path }

// Close releases the journal and its locks.
func (j *Journal) Close() error {
	err := j.db.Close()
	if uerr := j.lock.Unlock(); err == nil {
		err = uerr
	}
	if err != nil {
		return fmt.Errorf("close journal %s: %w", j.path, err)
	}
	return nil
}

// Update runs fn in one durable read-write transaction: every change fn
// makes is on disk when Update returns nil, and none is if it fails.
func (j *Journal) Update(fn func(*Tx) error) error {
	return j.boltUpdate(func(btx *bolt.Tx) error {
		return fn(&Tx{tx: btx, j: j})
	})
}

// View runs fn in a read-only transaction.
func (j *Journal) View(fn func(*Tx) error) error {
	return j.boltView(func(btx *bolt.Tx) error {
		return fn(&Tx{tx: btx, j: j})
	})
}

// Check checks every page of the journal file (PageError findings) and,
// when they hold, runs bbolt's own consistency check; it returns what
// they find. bbolt's check runs on a goroutine of its own, where no fault
// can be caught: it runs only on pages found sound.
func (j *Journal) Check() []error {
	errs, err := checkFile(j.path, nil, true, j.opts.Parse)
	if err != nil {
		return []error{err}
	}
	if len(errs) > 0 {
		return errs
	}
	err = j.boltView(func(tx *bolt.Tx) error {
		for err := range tx.Check() {
			errs = append(errs, err)
		}
		return nil
	})
	if err != nil {
		errs = append(errs, err)
	}
	return errs
}
