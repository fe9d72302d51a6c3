#!/usr/bin/env bash
# The main job end to end with no account: the built-in emulator, the seed policies, plan → apply → zero diff;
# then the same for examples/multi-provider, one repository for all four seed APIs.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=.build/debug/tidemark
port=8789
export TIDEMARK_USER=tidemark@example.com TIDEMARK_PASSWORD=tm-emulator-pw-5b7e

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

step tidemark validate policies
$bin validate policies

step tidemark emulator --port $port --fixture examples/emulator-fixture.json --seed-drives 3 --seed-vms 3 '&'
$bin emulator --port "$port" --fixture examples/emulator-fixture.json --seed-drives 3 --seed-vms 3 \
  --user "$TIDEMARK_USER" --password "$TIDEMARK_PASSWORD" &
emulator=$!
trap 'kill $emulator 2>/dev/null; wait $emulator 2>/dev/null || true' EXIT
for _ in $(seq 1 50); do
  (echo > "/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
  kill -0 $emulator 2>/dev/null || { echo "demo: the emulator did not start (is port $port in use?)" >&2; exit 1; }
  sleep 0.2
done

step tidemark plan
$bin plan
step tidemark apply --auto-approve
$bin apply --auto-approve
step tidemark plan --detailed-exitcode
$bin plan --detailed-exitcode
step tidemark preview sfg --count 5
$bin preview sfg --count 5
step tidemark preview --retention sfg --simulate 400d
$bin preview --retention sfg --simulate 400d
step tidemark apply --path examples/multi-provider --instance multi --auto-approve
$bin apply --path examples/multi-provider --instance multi --auto-approve
step tidemark plan --path examples/multi-provider --instance multi --detailed-exitcode
$bin plan --path examples/multi-provider --instance multi --detailed-exitcode
requirements=$(mktemp -d)
trap 'kill $emulator 2>/dev/null; wait $emulator 2>/dev/null || true; rm -rf "$requirements"' EXIT
cp examples/multi-provider/*.yaml examples/requirements.yaml "$requirements"/
step "tidemark plan --path (examples/multi-provider + examples/requirements.yaml) --instance multi --detailed-exitcode"
$bin plan --path "$requirements" --instance multi --detailed-exitcode
step "tidemark audit --path (examples/multi-provider + examples/requirements.yaml) --instance multi"
audit=0
$bin audit --path "$requirements" --instance multi || audit=$?
if [ "$audit" -ne 3 ]; then
  echo "demo: tidemark audit exited $audit; expected 3 (no backups taken yet)" >&2
  exit 1
fi
printf '\ndemo: converged; the second plans show no changes; every requirement holds in the plan, and the audit\n'
printf 'reports the backups a fresh emulator has not taken yet (exit 3).\n'
