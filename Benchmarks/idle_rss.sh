#!/usr/bin/env bash
# The idle memory of `tidemark run` for each binary given, alternating them ROUNDS times (default 3): each run gets a
# fresh emulator (from the first binary) with 1,000 drives and the seed policies, and is read 8 s after start.
#   Benchmarks/idle_rss.sh .build/layout/release/tidemark /tmp/tidemark-before
# Prints per run the VmRSS and the Rss of the binary's own mappings; with --sections, also the binary's resident
# pages by ELF section (Benchmarks/resident_sections.py, which reads /proc/PID/pagemap and needs root).
set -euo pipefail
cd "$(dirname "$0")/.."
sections=false
[ "${1:-}" = --sections ] && { sections=true; shift; }
[ $# -ge 1 ] || { echo "usage: Benchmarks/idle_rss.sh [--sections] BINARY..." >&2; exit 64; }
work=$(mktemp -d)
emulator=
trap '[ -n "$emulator" ] && kill "$emulator" 2>/dev/null; rm -rf "$work"' EXIT
export TIDEMARK_USER=tidemark@example.com TIDEMARK_PASSWORD=tm-emulator-pw-5b7e
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c 'import json; print(json.dumps({"drives": [{"name": "db-%04d" % i} for i in range(1000)]}))' > "$work/fixture.json"
cp -r policies "$work/policies"
sed -i "s#http://127.0.0.1:8789/#http://127.0.0.1:$port/#" "$work/policies/target.yaml"
for _ in $(seq 1 "${ROUNDS:-3}"); do
  for binary in "$@"; do
    binary=$(readlink -f "$binary")
    rm -f "$work"/state.sqlite*
    "$(readlink -f "$1")" emulator --port "$port" --fixture "$work/fixture.json" > /dev/null &
    emulator=$!
    for _ in $(seq 1 100); do (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break; sleep 0.1; done
    "$binary" run --path "$work/policies" --listen 127.0.0.1:0 --state "sqlite:$work/state.sqlite" > /dev/null 2>&1 &
    run=$!
    sleep 8
    rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$run/status")
    own=$(awk -v b="$binary" '/^[0-9a-f]+-/ { inside = ($6 == b) } inside && /^Rss:/ { s += $2 } END { print s }' "/proc/$run/smaps")
    echo "$binary: VmRSS $rss KB, the binary's own mappings $own KB"
    $sections && python3 Benchmarks/resident_sections.py "$run" "$binary"
    kill -TERM "$run"; wait "$run" 2>/dev/null || true
    kill "$emulator"; wait "$emulator" 2>/dev/null || true
    emulator=
  done
done
