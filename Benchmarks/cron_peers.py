#!/usr/bin/env python3
"""The next-fire rates of croniter and cronsim on this machine, with the expressions and start instant tidemark-bench
uses: chains of 100 sequential calls from 2025-01-01, each starting where the previous one fired. With --tidemark
FILE (the output of `tidemark-bench schedule --json`), prints Tidemark's rates beside theirs as ratios with their
goals.
Usage: cron_peers.py [--json] [--tidemark FILE]"""
import json
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from zoneinfo import ZoneInfo

from croniter import croniter
from cronsim import CronSim

EXPRESSIONS = ["*/5 * * * *", "0 4 * * *", "15 3 1-7 * mon", "0 0 1 */2 *", "30 2 * * 1-5",
               "0 */6 * * *", "0 0 29 2 *", "5 4 * * sun", "0 22 * * 1-5", "0 0,12 1 * *"]
START = datetime(2025, 1, 1, tzinfo=timezone.utc)  # 1,735,689,600, as in tidemark-bench


def croniter_fires(expression, start):
    iterator = croniter(expression, start)
    while True:
        yield iterator.get_next(datetime)


PEERS = {"croniter": croniter_fires, "cronsim": CronSim}


CHAIN = 100  # calls per chain from START, as in tidemark-bench


def rate(peer, zone, seconds=2.0):
    tz = ZoneInfo(zone)
    chains, elapsed = 1, 0.0
    while elapsed < seconds / 4:
        chains *= 2
        begin = time.perf_counter()
        for expression in EXPRESSIONS:
            for _ in range(chains):
                fires = PEERS[peer](expression, START.astimezone(tz))
                for _ in range(CHAIN):
                    next(fires)
        elapsed = time.perf_counter() - begin
    return chains * CHAIN * len(EXPRESSIONS) / elapsed


def main():
    zones = ["UTC", "Europe/Zurich"]
    results = {f"{peer} {metadata.version(peer)}": {zone: rate(peer, zone) for zone in zones} for peer in PEERS}
    if "--json" in sys.argv:
        print(json.dumps({"next_fire_per_second": results}, sort_keys=True))
        return
    for peer, rates in results.items():
        for zone, value in rates.items():
            print(f"{peer:<15} {zone:<14} {int(value):>10} next-fire/s")
    if "--tidemark" in sys.argv:
        ours = json.load(open(sys.argv[sys.argv.index("--tidemark") + 1]))
        for zone in zones:
            mine = ours[f"cron {zone}"]
            peers = ", ".join(f"{peer} {int(rates[zone])}/s ({mine / rates[zone]:.0f}×)" for peer, rates in results.items())
            goal = "  (goal ≥ 10,000,000/s)" if zone == "Europe/Zurich" else ""
            print(f"engine tidemark cron   {zone:<14} {int(mine):>10} next-fire/s{goal}; {peers}")
        print(f"engine tidemark calendar seed examples {int(ours['calendar seed examples']):>10} next-fire/s")
        print(f"engine tidemark retention 1,000,000 snapshots  {ours['retention 1M seconds']:.3f} s (goal < 0.1 s)")


if __name__ == "__main__":
    main()
