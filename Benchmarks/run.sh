#!/usr/bin/env bash
# Release-mode benchmarks: schedule and retention engines, croniter on the same machine in the same run, plan at scale,
# fetching and loading a git repository of 10,000 policy files.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product tidemark-bench >/dev/null 2>&1
swift build -c release --product tidemark >/dev/null 2>&1
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(uname -m), $(swift --version 2>/dev/null | head -1)"
.build/release/tidemark-bench schedule
python3 Benchmarks/croniter_rate.py
.build/release/tidemark-bench plan
.build/release/tidemark-bench git
.build/release/tidemark-bench controller
.build/release/tidemark-bench faults
