// Package recovery is smswork's one start path. Run opens nothing of its
// own: given the journal, SMS.INI's path and an executor, it
//
//  1. reconciles SMS.INI with the journal (finishing or undoing an SMS.INI
//     rewrite a crash interrupted, see journal's mirror protocol), and
//     ingests entries appended since;
//  2. drains the queue in order: for each operation, an intent marker made
//     durable, the operation executed, a commit marker made durable (for
//     a file operation that succeeded, in the same transaction as the next
//     journal change: deferred.go says exactly when); an operation found
//     with an intent but no commit was interrupted and is finished from
//     its recorded intent (file operations) or run again or held (run
//     operations, --interrupted); an operation waiting for the reboot (a
//     file in use handed to Windows' Session Manager, journal state
//     reboot) is confirmed from its intent (reboot.go): done, still
//     waiting, or failed; while one waits the queue stops, or, with
//     ContinuePastReboot, goes on with entries that touch none of its
//     paths;
//  3. mirrors what remains into SMS.INI, taking in entries appended while
//     it ran, until nothing is left or the queue stops.
//
// A clean start is a recovery with nothing to recover. The drain loop in
// runner.go (step) shows every durability step in order. The journal
// stores; recovery decides: what becomes of a rolled-back atomic batch,
// and the text its records carry, is rollback.go's.
package recovery
