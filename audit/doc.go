// Package audit reads the journal's audit history for what it vouches for:
// the files that the newest operation writing each path says must hold a
// known SHA-256 (smswork verify --files). It replays each record through
// the effects its operation's kind describes (ops/exec.Effects), so that a
// new kind of operation needs nothing here.
package audit
