// Package crashtest proves smswork's crash safety by running the real binary
// on a reference workload, killing it at chosen moments, running it again to
// completion, and checking the seven promises of docs/CONTRACT.md section 4 against
// a crash-free run of the same workload.
//
// Crash points come from three sources: the product's named failpoints
// (SMSWORK_FAILPOINT=NAME:N, the floor every test run covers), strace's
// system-call fault injection (SIGKILL before the N-th write, fsync,
// rename, ... for every N), and power loss (unsynced data dropped) on a
// loop-mounted ext4, XFS or btrfs image (Disk, FileSystems): ext4 and XFS
// are cut with their shutdown ioctl (NOLOGFLUSH), btrfs, which has none,
// by copying its image right after the kill with write-back held off.
//
// The run operations' programs append to counter files without syncing
// them, as installers and scripts write; the counters live in the
// sandbox, on the crashed disk beside drives C and D, so a power cut
// loses a program's effects unless smswork made them durable before the
// commit. The checkers read them after recovery: every run operation ran
// at least once, and more often only when the journal says it was
// interrupted.
//
// The transactional scenarios (TxCase) hold batches to the same promises,
// and to their own: a file-only batch that makes every kind of change
// (TxWorkload) is run atomic with a failing last entry, and must leave the
// file tree byte-identical to before it (content, permission bits,
// modification times) whether it is kept queued or dropped; run to
// completion then undone, it must leave the same; and its backups, once
// pruned by the retention setting, leave the files as the batch did. The
// same three kinds of crash are made in each; the checks after the crash
// and after the next start are TxCase.CheckCrashed and TxCase.CheckFinal.
package crashtest
