#!/usr/bin/env bash
# Release-mode benchmarks: the engines with croniter and cronsim in the same run, plan at scale, Tidemark against the
# machine's and the API's limits as ratios (plan vs. the transfer floor, growth, start-up), fetching and loading a git
# repository of 10,000 policy files, the controller, faults.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product tidemark-bench >/dev/null 2>&1
swift build -c release --product tidemark >/dev/null 2>&1
scratch="$(mktemp)"
trap 'rm -f "$scratch"' EXIT
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(uname -m), $(swift --version 2>/dev/null | head -1)"
.build/release/tidemark-bench schedule --json > "$scratch"
python3 Benchmarks/cron_peers.py --tidemark "$scratch"
.build/release/tidemark-bench plan
.build/release/tidemark-bench limits
.build/release/tidemark-bench git
.build/release/tidemark-bench controller
.build/release/tidemark-bench faults
