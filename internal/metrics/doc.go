// Package metrics writes what a run of smswork leaves for monitoring, in
// the text exposition format of Prometheus, as node_exporter's textfile
// collector reads it (smswork run --metrics-file PATH, with PATH a *.prom
// file in the collector's folder).
//
// The file is replaced atomically and durably after every run (temporary
// file in the same folder, fsync, rename, fsync of the folder): the
// collector reads the previous run's metrics or this one's, never a mix.
// The temporary file's name ends in ".tmp", which the collector ignores.
// Names follow Prometheus's conventions: a smswork_ prefix, base units
// (_seconds, _bytes), _total on counters only, one HELP and one TYPE line
// per family.
package metrics
