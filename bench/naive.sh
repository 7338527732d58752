#!/usr/bin/env bash
# naive.sh SMS.INI CDIR: what the original SMSWORK.EXE did, as a baseline for
# the price of safety: run each entry of PendingWork left to right (copy and
# del, with c:\ mapped to CDIR), rewriting SMS.INI after each one. No
# journal, no fsync, no atomic rename: a power loss can tear the file.
set -euo pipefail
ini=$1 c=$2
IFS=',' read -ra entries <<<"$(sed -n 's/^PendingWork=//p' "$ini")"
host() { local p=${1#c:\\}; printf '%s/%s' "$c" "${p//\\//}"; }
n=${#entries[@]}
for ((i = 0; i < n; i++)); do
  read -ra w <<<"${entries[i]}"
  case ${w[0]} in
  copy) cp "$(host "${w[1]}")" "$(host "${w[2]}")" ;;
  del) rm -f "$(host "${w[1]}")" ;;
  esac
  rest=$(IFS=,; echo "${entries[*]:i+1}")
  printf '[SMS Work]\nPendingWork=%s\n' "$rest" >"$ini"
done
