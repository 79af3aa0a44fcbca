#!/bin/bash
# Instructions per call through the relay path in process, counted by callgrind: steadier than
# any timing on a shared machine, so it is how changes to the hot path are judged.
#
# usage: bench/callgrind_per_call.sh stateful|stateless [SRC]
#   stateful:  bench_stateful_relay.path_only (one worker's receive path and tm engine, a full
#              call: INVITE, 180, 200, ACK, BYE, 200), (Ir(300 calls) - Ir(100 calls)) / 200
#   stateless: bench_relay_call.py (the stateless relay), (Ir(300) - Ir(100)) / 800 messages
#   SRC: a directory holding a tree of this repository named `siprouter` (e.g. made with
#        `mkdir -p /tmp/t/siprouter && git archive REV | tar -x -C /tmp/t/siprouter`), to
#        count another revision; default: the installed siprouter.
set -eu
kind=$1
src=${2:-}
case $kind in stateful|stateless) ;; *) echo "usage: $0 stateful|stateless [SRC]" >&2; exit 2;; esac
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 2; }
here=$(cd "$(dirname "$0")/.." && pwd)
tree=${src:+$src/siprouter}
tree=${tree:-$here}
py=$(python -c 'import sys; print(sys.executable)')
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count() {  # count N -> instructions of a run over N calls
  local n=$1 code
  if [ "$kind" = stateful ]; then
    code="import sys; sys.path.insert(0, 'bench'); import bench_stateful_relay as b; b.path_only(calls=$n, rounds=1)"
    (cd "$tree" && env ${src:+PYTHONPATH=$src} valgrind --tool=callgrind \
      --callgrind-out-file="$work/cg.$n" "$py" -c "$code") > "$work/log.$n" 2>&1
  else
    (cd "$tree" && env ${src:+PYTHONPATH=$src} valgrind --tool=callgrind \
      --callgrind-out-file="$work/cg.$n" "$py" bench/bench_relay_call.py --calls 100 \
      --rounds $((n / 100))) > "$work/log.$n" 2>&1
  fi
  grep -h "Collected" "$work/log.$n" | awk '{print $4}' | tr -d ,
}
a=$(count 100)
b=$(count 300)
div=200
[ "$kind" = stateless ] && div=800
echo "$kind: $(( (b - a) / div )) instructions per call"
