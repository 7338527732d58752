// Package journal is smswork's truth: an embedded bbolt file that records
// every ingested PendingWork entry, an intent marker made durable before an
// operation touches anything, and a commit marker made durable after its
// effects are, plus a hash-chained audit history of every committed outcome.
//
// # On-disk format (schema version 1)
//
// Every value is JSON; every numeric key is an 8-byte big-endian uint64, so
// bbolt's byte order is numeric order. Buckets:
//
//	meta      "version"   decimal schema version ("1"); a journal with a
//	                      newer version is refused (ErrVersion).
//	          "nextSeq"   next operation sequence number (starts at 1).
//	          "nextBatch" next batch number (starts at 1).
//	          "nextRec"   next history record number (starts at 1).
//	          "head"      hex SHA-256 of the newest history record ("" when
//	                      none): the head of the hash chain.
//	          "mirror"    MirrorState: which operations SMS.INI lists.
//	          "undoing"   JSON list of the batches whose undo has started
//	                      and not finished (absent when none).
//	          "backupBytes" sum of Batch.BackupBytes over batches whose
//	                      backups are kept (the retention setting's measure).
//	batches   batch -> Batch: one ingestion of PendingWork entries, whether
//	          it is atomic, its state, an undo in progress (UndoProgress),
//	          and its backups' size and state.
//	queue     seq -> Entry: an operation not yet out of SMS.INI. Its State
//	          moves queued -> intent -> committed (or held, then back to
//	          queued by a decision; or reboot, waiting for the next boot
//	          with a file in use handed to Session Manager, its intent's
//	          handoff kept, then committed or back to queued when its
//	          confirmation fails); in an atomic batch, committed is
//	          "staged" until the batch's last operation commits. Committed
//	          entries stay here only until SMS.INI is known not to list
//	          them (MirrorState.Start passes them), then are deleted.
//	undo      batch|seq|record (3 x 8 bytes) -> empty: the undo steps of
//	          each batch, one per audit record of an operation that reached
//	          its intent (done, already done, failed, held), whose intent
//	          names the prior state (ops.Backup) of what it changed. Walked
//	          newest first by an undo; removed when the batch's backups
//	          are pruned. Created by the first writer of a journal made
//	          before it existed.
//	counts    outcome (its name, "done", "failed", ...) -> uint64: how
//	          many audit records of that outcome the journal has written,
//	          checkpoints aside, updated in the transaction that writes
//	          each record; a prune never lowers them. Created by the first
//	          writer of a journal made before it existed, from the records
//	          that journal holds.
//	history   record -> Record: the audit trail, one record per committed
//	          outcome (and per failed attempt that stopped the queue, and
//	          per operation held), in commit order, hash-chained (below).
//	          The first record may be a checkpoint standing for records
//	          removed by a prune (below).
//
// Beside the journal: path.lock, the writers' lock (never removed), and,
// only while a prune runs or after a crash during one, path.compact, the
// compacted copy (removed by the next writer's Open).
//
// # The hash chain
//
// Every history value is a record encoded by Go's encoding/json
// (json.Marshal of Record: compact, members in the struct's field order,
// members with omitempty/omitzero left out when empty, times in RFC 3339
// with nanoseconds, <, > and & escaped as \u003c, \u003e, \u0026). Text
// that must survive byte for byte and may not be UTF-8 (an old ANSI code
// page) is stored in base64 when it is not: the raw entry as "raw64" (the
// first member), paths as "rel64", arguments as "argv64"; a run's output
// is kept as text, its invalid bytes as U+FFFD. Its last member is always
// the hash,
// so a stored value always ends with
//
//	,"hash":"<64 lower-case hex digits>"}
//
// The canonical encoding of a record is its stored value with that hash
// emptied: the same bytes ending with `,"hash":""}`. Then
//
//	Hash = lower-case hex of SHA-256(Prev || "\n" || canonical encoding)
//
// where Prev is the record's "prev" member: the Hash of the record before
// it, "" for record 1. The chain covers the stored bytes themselves, not a
// re-encoding: any changed byte is detected, and a verifier needs no Go
// (history --json prints each stored value as it is). New fields must be
// omitempty or omitzero and come before Hash, so that older records keep
// their bytes; records are never re-encoded. meta "head" is the newest
// record's Hash. VerifyChain reports a record whose bytes do not give its
// hash (edited), whose Prev is not its predecessor's Hash (deleted,
// inserted, reordered), whose key is not its ID or leaves a gap, and a head
// that is not the newest record's (removed at the end).
//
// # Retention: checkpoints
//
// Journal.Prune removes the oldest records committed before a cut-off and
// stores under the ID of the last removed one, T, a checkpoint record:
// Outcome "checkpoint", Checkpoint {through: T, pruned: how many this prune
// removed, before: the cut-off}, and Prev = the Hash of record T, the
// pruned head. Its own Hash is computed as for any record. The record after
// it (T+1) keeps its Prev, the Hash of record T, which the checkpoint
// carries: so a chain may start at a checkpoint, and everything from the
// checkpoint on is checked as before; a checkpoint anywhere but first, a
// chain that starts at neither record 1 nor a checkpoint, and a checkpoint
// not stored under its "through" are findings. A later prune removes the
// checkpoint with the records after it and writes a new one. Prune runs in
// steps of bounded transactions, each leaving a whole chain, then compacts
// the file (bbolt never returns pages): a packed copy is written to
// path.compact and fsynced with its folder, the journal's bbolt file is
// closed (the writers' lock stays held), the copy renamed over it, the
// folder fsynced, and the journal reopened. A crash at any point leaves the
// old journal or the new one, complete.
//
// # The mirror protocol
//
// SMS.INI lists, at every instant, the entries of operations with sequence
// numbers from some Start up to nextSeq-1, in order, followed by entries
// appended by others that the journal has not ingested yet. MirrorState
// records Start, and, while a rewrite of SMS.INI is in flight, the pending
// Start and the name of the durable temporary file about to be renamed over
// SMS.INI. After a crash, the temporary file still being there means the
// rename did not happen (Start holds); its absence means it did (the
// pending Start holds). This makes recovery exact even when appended
// entries repeat entries already run.
//
// # Atomic batches and undo
//
// An operation's intent names, in Intent.Backups, the prior state of every
// path it will change; the files holding prior content live in the backup
// folder beside the journal (package backup), made durable after the
// intent and before the operation touches anything. An undo (a rollback of
// an atomic batch whose operation failed, or smswork undo of a finished
// batch) first records Batch.Undo (StartUndo, and the batch in "undoing"),
// then, for each undo step newest first, restores its prior state (which
// may be repeated) and commits, in one transaction, an audit record with
// outcome "undone" and Undoes naming the step's record, and the undo's
// move past it. An operation that cannot be undone (run; see
// ops.Irreversible) stops the walk: the barrier. EndUndo ends the undo's
// bookkeeping; in the same transaction, recovery decides what becomes of
// the batch, with the storage steps of undo.go (DiscardSteps,
// ForgetBackups, Requeue, MarkCommitted, Drop, SetBatchState,
// CountRollback): a rollback queues the batch again from after the
// barrier (SMS.INI still lists it, since its entries were only staged), or
// drops it with a "dropped" record per entry; a later undo marks the batch
// undone. The journal stores these outcomes; it does not choose them.
//
// smswork add --atomic ingests its batch in the same transaction that
// records the SMS.INI rewrite appending it (PendingMirror.Added): the
// journal knows the batch is atomic before SMS.INI lists it.
//
// # Concurrency and durability
//
// One process writes at a time: the writers' lock (path.lock), then
// bbolt's file lock, each taken with a timeout, so a second writer fails
// fast with ErrLocked. Readers take bbolt's shared lock only. Every change
// is one bbolt Update transaction, durable when it returns (bbolt
// fdatasyncs the data pages, then the meta page). DB.Batch is never used:
// it may run a function twice. The folder is synced after the file is
// first created, which bbolt does not do. Opening a journal that is ready
// writes nothing. The recovery package writes a file operation's commit
// marker in the same transaction as the next operation's intent (one
// transaction per operation); a crash between them makes recovery finish
// that operation again from its intent, which file operations allow.
package journal
