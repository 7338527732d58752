#!/usr/bin/env bash
# The fast empty boot: `smswork run` with nothing pending, against `true`,
# measured in one script on one machine. Prints each one's median and the
# ratio, then the fsync/fdatasync/rename calls of one empty run (strace),
# which should be none.
#   bench/emptyboot.sh [RUNS]        (installs hyperfine with apt if missing)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-200}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/smswork" ./cmd/smswork
mkdir -p "$tmp/c"
printf '[SMS Work]\nPendingWork=\n' >"$tmp/c/SMS.INI"
sw=("$tmp/smswork" --ini "$tmp/c/SMS.INI" --log-format json run)
"${sw[@]}" >/dev/null 2>&1 # the first run creates the journal

if ! command -v hyperfine >/dev/null && [ "$(id -u)" = 0 ]; then
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hyperfine) >/dev/null 2>&1 || true
fi
if command -v hyperfine >/dev/null; then
  hyperfine -N --warmup 20 --runs "$runs" --export-json "$tmp/h.json" true "${sw[*]}" >/dev/null 2>&1
  python3 - "$tmp/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
t, s = r[0]["median"], r[1]["median"]
print(f"true:        median {t*1e3:.2f} ms")
print(f"smswork run: median {s*1e3:.2f} ms (empty queue)")
print(f"ratio:       {s/t:.1f}x")
PY
else
  median() { # median wall time in ns of $runs runs of "$@"
    local i s e
    for ((i = 0; i < runs; i++)); do
      s=$(date +%s%N); "$@" >/dev/null 2>&1; e=$(date +%s%N); echo $((e - s))
    done | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'
  }
  t=$(median true); s=$(median "${sw[@]}")
  awk -v t="$t" -v s="$s" 'BEGIN {printf "true:        median %.2f ms\nsmswork run: median %.2f ms (empty queue)\nratio:       %.1fx\n", t/1e6, s/1e6, s/t}'
fi

if command -v strace >/dev/null; then
  echo "syscalls of one empty run (want no fsync, fdatasync or rename):"
  strace -f -c -e trace=fsync,fdatasync,rename,renameat,renameat2,write "${sw[@]}" 2>&1 >/dev/null | sed -n '/^% time/,$p'
fi
