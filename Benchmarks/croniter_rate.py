#!/usr/bin/env python3
"""croniter's next-fire rate on this machine, with the expressions and start instant tidemark-bench uses:
sequential get_next calls, each starting where the previous one fired. Usage: croniter_rate.py [--json]"""
import json
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from zoneinfo import ZoneInfo

from croniter import croniter

EXPRESSIONS = ["*/5 * * * *", "0 4 * * *", "15 3 1-7 * mon", "0 0 1 */2 *", "30 2 * * 1-5",
               "0 */6 * * *", "0 0 29 2 *", "5 4 * * sun", "0 22 * * 1-5", "0 0,12 1 * *"]
START = datetime(2025, 1, 1, tzinfo=timezone.utc)  # 1,735,689,600, as in tidemark-bench


def rate(zone, seconds=2.0):
    tz = ZoneInfo(zone)
    iterations, elapsed = 50, 0.0
    while elapsed < seconds / 4:
        iterations *= 2
        begin = time.perf_counter()
        for expression in EXPRESSIONS:
            iterator = croniter(expression, START.astimezone(tz))
            for _ in range(iterations):
                iterator.get_next(datetime)
        elapsed = time.perf_counter() - begin
    return iterations * len(EXPRESSIONS) / elapsed


def main():
    version = metadata.version("croniter")
    results = {zone: rate(zone) for zone in ["UTC", "Europe/Zurich"]}
    if "--json" in sys.argv:
        print(json.dumps({"croniter": version, "next_fire_per_second": results}, sort_keys=True))
    else:
        for zone, value in results.items():
            print(f"croniter {version}  {zone:<14} {int(value)} next-fire/s")


if __name__ == "__main__":
    main()
