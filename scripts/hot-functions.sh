#!/usr/bin/env bash
# Regenerates scripts/hot-functions.txt: the functions `tidemark` runs to validate and plan the seed policies and to
# start `tidemark run` (its first cycle against 1,000 drives, then idle), first called first, as symbol names for
# lld's --symbol-ordering-file. `make release` lays them out first in the binary, so the code a running controller
# has touched sits in a few contiguous pages instead of being spread over all of them.
#   1. Coverage: an instrumented build (AddressSanitizer's coverage callbacks, answered by scripts/first-calls.c) in
#      .build/hot-functions notes each function the first time it is called.
#   2. Refinement: that build inlines and specializes differently, so some functions of the real release build are
#      missing. ROUNDS times (default 12): `make release` with the list, `tidemark run` under `perf record` of its
#      page faults, and every function whose code faulted is appended. Each round finds fewer (about 70 → 5).
# Takes about 40 minutes and needs perf (Debian: linux-perf). Rerun after large changes; a stale list only costs
# memory, never correctness.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-12}
list=scripts/hot-functions.txt
scratch=.build/hot-functions
work=$(mktemp -d)
emulator=
trap 'stop_emulator; rm -rf "$work"' EXIT
export TIDEMARK_USER=tidemark@example.com TIDEMARK_PASSWORD=tm-emulator-pw-5b7e ASAN_OPTIONS=detect_leaks=0
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c 'import json; print(json.dumps({"drives": [{"name": "db-%04d" % i} for i in range(1000)]}))' \
  > "$work/fixture.json"
cp -r policies "$work/policies"
sed -i "s#http://127.0.0.1:8789/#http://127.0.0.1:$port/#" "$work/policies/target.yaml"

# A fresh emulator (1,000 unbound drives) from binary $1.
start_emulator() {
  stop_emulator
  "$1" emulator --port "$port" --fixture "$work/fixture.json" > /dev/null &
  emulator=$!
  for _ in $(seq 1 100); do
    (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && return
    sleep 0.2
  done
  echo "hot-functions: the emulator did not start on port $port" >&2
  exit 1
}

stop_emulator() {
  [ -z "$emulator" ] && return
  kill "$emulator" 2>/dev/null || true
  wait "$emulator" 2>/dev/null || true
  emulator=
}

# Waits until `tidemark run` has bound the 1,000 drives, then 20 s of idle.
wait_until_bound_and_idle() {
  local bound=0
  for _ in $(seq 1 120); do
    bound=$(curl -s -u "$TIDEMARK_USER:$TIDEMARK_PASSWORD" "http://127.0.0.1:$port/api/2.0/drives/detail/?limit=0" |
      python3 -c 'import json, sys; print(sum(1 for d in json.load(sys.stdin)["objects"] if d.get("backup_scheduler")))')
    [ "$bound" -ge 1000 ] && break
    sleep 1
  done
  [ "$bound" -ge 1000 ] || { echo "hot-functions: tidemark run bound $bound of 1000 drives" >&2; exit 1; }
  sleep 20
}

# 1. Coverage.
mkdir -p "$scratch"
clang -O2 -c scripts/first-calls.c -o "$scratch/first-calls.o"
swift build -c release --product tidemark --scratch-path "$scratch" --sanitize=address \
  -Xswiftc -sanitize-coverage=func,trace-pc-guard -Xcc -fsanitize-coverage=func,trace-pc-guard \
  -Xlinker "$PWD/$scratch/first-calls.o"
instrumented=$(readlink -f "$scratch/release/tidemark")
start_emulator "$instrumented"
export TIDEMARK_FIRST_CALLS=$work/calls
"$instrumented" validate "$work/policies" > /dev/null
mv "$work"/calls.* "$work/1-validate"
"$instrumented" plan --path "$work/policies" > /dev/null || [ $? -eq 2 ]
mv "$work"/calls.* "$work/2-plan"
"$instrumented" run --path "$work/policies" --listen 127.0.0.1:0 --state "sqlite:$work/state.sqlite" > /dev/null 2>&1 &
run=$!
wait_until_bound_and_idle
kill -TERM $run
wait $run || true
mv "$work"/calls.* "$work/3-run"
unset TIDEMARK_FIRST_CALLS

# Offsets to the symbols that hold them (nm), first call first; each function once.
python3 - "$instrumented" "$work"/1-validate "$work"/2-plan "$work"/3-run > "$list" <<'EOF'
import bisect, subprocess, sys
symbols = []
for line in subprocess.run(["nm", "-n", "--defined-only", sys.argv[1]], capture_output=True, text=True, check=True).stdout.splitlines():
    fields = line.split()
    if len(fields) == 3 and fields[1] in "tT":
        symbols.append((int(fields[0], 16), fields[2]))
starts = [address for address, _ in symbols]
seen = set()
for calls in sys.argv[2:]:
    for line in open(calls):
        name = symbols[bisect.bisect_right(starts, int(line, 16)) - 1][1]
        if name not in seen:
            seen.add(name)
            print(name)
EOF
echo "hot-functions: $(wc -l < "$list") functions from coverage"

# 2. Refinement.
for round in $(seq 1 "$rounds"); do
  make release > /dev/null
  binary=$(readlink -f .build/layout/release/tidemark)
  start_emulator "$binary"
  rm -f "$work"/state.sqlite*
  perf record -q -e minor-faults,major-faults -c 1 -d -o "$work/perf.data" -- \
    "$binary" run --path "$work/policies" --listen 127.0.0.1:0 --state "sqlite:$work/state.sqlite" > /dev/null 2>&1 &
  perf=$!
  wait_until_bound_and_idle
  pkill -TERM -P $perf
  wait $perf || true
  # Instruction fetches (the faulting address is the instruction's) in the tidemark binary, by function.
  before=$(wc -l < "$list")
  perf script -i "$work/perf.data" -F ip,sym,dso,addr 2> /dev/null |
    awk -v dso="($binary)" '$NF == dso && $1 == $4 && $2 != "[unknown]" { print $2 }' |
    awk 'NR == FNR { seen[$0] = 1; next } !seen[$0]++' "$list" - >> "$list"
  echo "hot-functions: round $round added $(($(wc -l < "$list") - before)) functions"
done
stop_emulator
make release > /dev/null
echo "scripts/hot-functions.txt: $(wc -l < "$list") functions"
