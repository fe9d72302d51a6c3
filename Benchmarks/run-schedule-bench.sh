#!/usr/bin/env bash
# Runs tidemark's schedule and retention benchmark in release mode, then croniter's on the same machine.
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product tidemark-bench >/dev/null
echo "# $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(uname -m), $(swift --version 2>/dev/null | head -1)"
.build/release/tidemark-bench schedule
python3 Benchmarks/croniter_rate.py
