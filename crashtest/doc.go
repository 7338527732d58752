// Package crashtest proves smswork's crash safety by running the real binary
// on a reference workload, killing it at chosen moments, running it again to
// completion, and checking the seven promises of DESIGN.md section 4 against
// a crash-free run of the same workload.
//
// Crash points come from three sources: the product's named failpoints
// (SMSWORK_FAILPOINT=NAME:N, the floor every test run covers), strace's
// system-call fault injection (SIGKILL before the N-th write, fsync,
// rename, ... for every N), and power loss (unsynced data dropped).
package crashtest
