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
//	batches   batch -> Batch: one ingestion of PendingWork entries.
//	queue     seq -> Entry: an operation not yet out of SMS.INI. Its State
//	          moves queued -> intent -> committed (or held, then back to
//	          queued by a decision). Committed entries stay here only
//	          until SMS.INI is known not to list them (MirrorState.Start
//	          passes them), then are deleted.
//	history   record -> Record: the audit trail, one record per committed
//	          outcome (and per failed attempt that stopped the queue), in
//	          commit order. Record.Hash = SHA-256(Prev || canonical JSON of
//	          the record with Hash empty); Prev is the previous record's
//	          Hash, so an edited, deleted or reordered record breaks the
//	          chain (VerifyChain).
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
// # Concurrency and durability
//
// One process writes at a time: bbolt's file lock, taken with a timeout, so
// a second writer fails fast with ErrLocked. Every change is one bbolt
// Update transaction, durable when it returns (bbolt fdatasyncs the data
// pages, then the meta page). DB.Batch is never used: it may run a function
// twice. The folder is synced after the file is first created, which bbolt
// does not do.
package journal
