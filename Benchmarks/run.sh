#!/usr/bin/env bash
# Release-mode benchmarks: the engines with croniter and cronsim in the same run, plan at scale, Tidemark against the
# machine's and the API's limits as ratios (plan vs. the transfer floor, growth, start-up), fetching and loading a git
# repository of 10,000 policy files, the controller, faults.
set -euo pipefail
cd "$(dirname "$0")/.."
# Both as `make release` builds them, in .build/layout: the benchmarks run the tidemark beside tidemark-bench.
make release PRODUCT=tidemark-bench >/dev/null 2>&1
make release >/dev/null 2>&1
scratch="$(mktemp)"
trap 'rm -f "$scratch"' EXIT
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(uname -m), $(swift --version 2>/dev/null | head -1)"
.build/layout/release/tidemark-bench schedule --json > "$scratch"
python3 Benchmarks/cron_peers.py --tidemark "$scratch"
.build/layout/release/tidemark-bench plan
.build/layout/release/tidemark-bench limits
.build/layout/release/tidemark-bench git
.build/layout/release/tidemark-bench controller
.build/layout/release/tidemark-bench faults
