#!/usr/bin/env python3
"""The controller's SQLite slot writes without Swift: a slot of 10,000 drives claimed and completed in batches of 32,
with the statements and schema of SQLiteStateStore (WAL, synchronous FULL), three slots in a row.

    python3 Benchmarks/slot_writes.py                   # as tidemark writes them: drives in id order
    python3 Benchmarks/slot_writes.py --random-order    # drives in random order
    python3 Benchmarks/slot_writes.py --memory          # the same statements on an in-memory database
    python3 Benchmarks/slot_writes.py --no-snapshots    # without the row in `snapshots` (its index on random ids)
    python3 Benchmarks/slot_writes.py --snapshots-by-slot  # `snapshots` keyed by slot and id, not by id alone

Prints the bytes this process wrote and its CPU per slot for each of the three slots.
"""
import argparse
import os
import shutil
import sqlite3
import tempfile
import time
import uuid

parser = argparse.ArgumentParser()
parser.add_argument("--random-order", action="store_true")
parser.add_argument("--memory", action="store_true")
parser.add_argument("--no-snapshots", action="store_true")
parser.add_argument("--snapshots-by-slot", action="store_true")
options = parser.parse_args()

directory = tempfile.mkdtemp()
db = sqlite3.connect(":memory:" if options.memory else os.path.join(directory, "state.sqlite"), isolation_level=None)
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = FULL")
db.executescript("""
    CREATE TABLE cursors (scheduler TEXT NOT NULL, drive TEXT NOT NULL, last_slot REAL NOT NULL, PRIMARY KEY (scheduler, drive));
    CREATE TABLE slots (scheduler TEXT NOT NULL, drive TEXT NOT NULL, slot REAL NOT NULL, state TEXT NOT NULL, snapshot TEXT,
        updated REAL NOT NULL, PRIMARY KEY (scheduler, drive, slot));
    CREATE INDEX slots_pending ON slots(scheduler, drive, slot) WHERE state = 'pending';
""")
if options.snapshots_by_slot:
    db.execute("CREATE TABLE snapshots (id TEXT NOT NULL, drive TEXT NOT NULL, scheduler TEXT NOT NULL, slot REAL NOT NULL, "
               "created REAL NOT NULL, deleted REAL, PRIMARY KEY (scheduler, drive, slot, id)) WITHOUT ROWID")
else:
    db.execute("CREATE TABLE snapshots (id TEXT PRIMARY KEY, drive TEXT NOT NULL, scheduler TEXT NOT NULL, slot REAL NOT NULL, "
               "created REAL NOT NULL, deleted REAL)")
drives = [str(uuid.uuid4()) for _ in range(10_000)]
if not options.random_order:
    drives.sort()


def written():
    with open("/proc/self/io") as io:
        return int(next(line for line in io if line.startswith("wchar:")).split()[1])


for round in range(3):
    slot = 1_767_225_600 + 3600 * round
    bytes_before, cpu_before = written(), time.process_time()
    for start in range(0, len(drives), 32):
        batch = drives[start:start + 32]
        db.execute("BEGIN IMMEDIATE")
        for drive in batch:
            db.execute("INSERT INTO slots (scheduler, drive, slot, state, updated) VALUES (?, ?, ?, 'pending', ?) "
                       "ON CONFLICT (scheduler, drive, slot) DO NOTHING", ("hourly", drive, slot, slot))
        db.execute("COMMIT")
        db.execute("BEGIN IMMEDIATE")
        for drive in batch:
            snapshot = str(uuid.uuid4())
            db.execute("INSERT INTO slots (scheduler, drive, slot, state, snapshot, updated) VALUES (?, ?, ?, 'created', ?, ?) "
                       "ON CONFLICT (scheduler, drive, slot) DO UPDATE SET state = 'created', snapshot = excluded.snapshot, "
                       "updated = excluded.updated", ("hourly", drive, slot, snapshot, slot))
            if not options.no_snapshots:
                db.execute("INSERT OR IGNORE INTO snapshots (id, drive, scheduler, slot, created) VALUES (?, ?, ?, ?, ?)",
                           (snapshot, drive, "hourly", slot, slot))
            db.execute("INSERT INTO cursors (scheduler, drive, last_slot) VALUES (?, ?, ?) "
                       "ON CONFLICT (scheduler, drive) DO UPDATE SET last_slot = max(last_slot, excluded.last_slot)",
                       ("hourly", drive, slot))
        db.execute("COMMIT")
    print(f"slot {round + 1}: {(written() - bytes_before) / len(drives):.0f} bytes written and "
          f"{(time.process_time() - cpu_before) / len(drives) * 1e6:.1f} µs CPU per slot")

db.close()
shutil.rmtree(directory)
