#!/usr/bin/env python3
"""Independent oracle for Tidemark's cron engine: random (expression, start, timezone) cases with the next
five fire instants computed by croniter. One JSON object per line on stdout:
{"expr": "...", "tz": "...", "start": "2031-03-30T00:59:00Z", "next": ["...Z", ...]}
When croniter is known to read the expression differently from Vixie cron (see vixie_reading), the case also
carries "vixie" (the expression as croniter reads it the Vixie way) and "vixie_next" (croniter's answer for it).
Usage: croniter_oracle.py --count N --seed S
"""
import argparse
import json
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from importlib import metadata

try:
    from croniter import croniter
except ImportError:
    sys.exit("croniter_oracle.py: croniter is not installed (pip install croniter==7.0.0)")

# Zones whose rules have not changed since 2015, with and without daylight saving time.
ZONES = ["UTC", "Etc/GMT+12", "Etc/GMT-14", "Europe/Zurich", "Europe/London", "America/New_York",
         "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata", "Asia/Kathmandu", "Pacific/Chatham",
         "America/St_Johns"]
MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]


def mixed_case(rng, name):
    return rng.choice([name, name.upper(), name.capitalize()])


def item(rng, low, high, names=None, name_base=0):
    """One list item of a field: value, range, step on * or a range, or a/n."""
    def value(v):
        if names and rng.random() < 0.3 and v - name_base < len(names):
            return mixed_case(rng, names[v - name_base])
        return str(v)
    kind = rng.random()
    if kind < 0.4:
        return value(rng.randint(low, high))
    if kind < 0.65:
        a = rng.randint(low, high)
        b = rng.randint(min(a + 1, high), high) if rng.random() < 0.95 else a
        return f"{value(a)}-{value(b)}"
    if kind < 0.8:
        return f"*/{rng.randint(1, max(1, (high - low) // 2))}"
    if kind < 0.9:
        a = rng.randint(low, high)
        b = rng.randint(min(a + 1, high), high)
        return f"{a}-{b}/{rng.randint(1, max(1, b - a + 1))}"
    return f"{rng.randint(low, high)}/{rng.randint(1, max(1, (high - low) // 2))}"


def field(rng, low, high, star_share, names=None, name_base=0):
    if rng.random() < star_share:
        return "*"
    return ",".join(item(rng, low, high, names, name_base) for _ in range(rng.choice([1, 1, 1, 2, 3])))


def expression(rng):
    minute = field(rng, 0, 59, 0.15)
    hour = field(rng, 0, 23, 0.35)
    month = field(rng, 1, 12, 0.7, MONTHS, 1)
    both_days = rng.random() < 0.3
    dom = field(rng, 1, 28, 0.0 if both_days else 0.6)
    dow = field(rng, 0, 7 if rng.random() < 0.1 else 6, 0.0 if both_days else 0.6, DAYS, 0)
    return f"{minute} {hour} {dom} {month} {dow}"


NAME_VALUES = {name: index + 1 for index, name in enumerate(MONTHS)} | {name: index for index, name in enumerate(DAYS)}


def vixie_reading(expr):
    """The expression with croniter's known deviations spelled the way croniter reads as Vixie cron does:
    a range with equal bounds ("10-10", "Sun-Sun", "5-5/2") is that one value, and "7/n" in the day-of-week
    field is Sunday. Returns None when nothing needed rewriting."""
    def value(text):
        return int(text) if text.isdigit() else NAME_VALUES.get(text.lower())

    fields = expr.split(" ")
    changed = False
    for index, text in enumerate(fields):
        items = []
        for item in text.split(","):
            bounds = item.split("/")[0].split("-")
            if len(bounds) == 2 and value(bounds[0]) is not None and value(bounds[0]) == value(bounds[1]):
                items.append(bounds[0])
                changed = True
            elif index == 4 and item.startswith("7/"):
                items.append("7")
                changed = True
            else:
                items.append(item)
        fields[index] = ",".join(items)
    return " ".join(fields) if changed else None


def transitions(zone, start_year=2016, end_year=2036):
    """UTC instants where the zone's offset changes, found by a 30-minute scan."""
    tz = ZoneInfo(zone)
    found = []
    t = datetime(start_year, 1, 1, tzinfo=timezone.utc)
    end = datetime(end_year, 1, 1, tzinfo=timezone.utc)
    previous = t.astimezone(tz).utcoffset()
    while t < end:
        t += timedelta(minutes=30)
        offset = t.astimezone(tz).utcoffset()
        if offset != previous:
            found.append(t)
        previous = offset
    return found


def iso(instant):
    return instant.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    started = time.monotonic()
    zone_transitions = {zone: transitions(zone) for zone in ZONES}
    produced = 0
    out = sys.stdout
    while produced < args.count:
        zone = rng.choice(ZONES)
        expr = expression(rng)
        if zone_transitions[zone] and rng.random() < 0.3:
            start = rng.choice(zone_transitions[zone]) - timedelta(seconds=rng.randint(0, 36 * 3600))
        else:
            start = datetime(2016, 1, 1, tzinfo=timezone.utc) + timedelta(seconds=rng.randint(0, 20 * 365 * 86400))
        start = start.replace(microsecond=0)
        try:
            iterator = croniter(expr, start.astimezone(ZoneInfo(zone)))
            fires = [iso(iterator.get_next(datetime)) for _ in range(5)]
            case = {"expr": expr, "tz": zone, "start": iso(start), "next": fires}
            rewritten = vixie_reading(expr)
            if rewritten:
                iterator = croniter(rewritten, start.astimezone(ZoneInfo(zone)))
                case["vixie"] = rewritten
                case["vixie_next"] = [iso(iterator.get_next(datetime)) for _ in range(5)]
        except Exception:
            continue
        out.write(json.dumps(case) + "\n")
        produced += 1
    print(f"croniter {metadata.version('croniter')}: "
          f"{produced} cases in {time.monotonic() - started:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
