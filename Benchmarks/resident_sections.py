#!/usr/bin/env python3
"""Which pages of an ELF binary a running process keeps resident, by section, from /proc/PID/pagemap (needs root).

    python3 Benchmarks/resident_sections.py PID BINARY

`anon:` marks private copies (pages the process wrote, as the loader's relocations); a page shared by two sections
is counted under both names joined by `+`.
"""
import collections
import re
import struct
import subprocess
import sys

pid, binary = sys.argv[1], sys.argv[2]
mappings = []
for line in open(f"/proc/{pid}/maps"):
    fields = line.split()
    if len(fields) >= 6 and fields[5] == binary:
        start, end = (int(bound, 16) for bound in fields[0].split("-"))
        mappings.append((start, end, int(fields[2], 16)))
headers = subprocess.run(["readelf", "-SW", binary], capture_output=True, text=True, check=True).stdout
sections = []
for match in re.finditer(r"\]\s+(\S+)\s+\S+\s+[0-9a-f]+\s+([0-9a-f]+)\s+([0-9a-f]+)", headers):
    offset, size = int(match.group(2), 16), int(match.group(3), 16)
    if size and not match.group(1).startswith(".debug"):
        sections.append((offset, offset + size, match.group(1)))
page = 4096
pages = collections.Counter()
with open(f"/proc/{pid}/pagemap", "rb") as pagemap:
    for start, end, offset in mappings:
        pagemap.seek(start // page * 8)
        entries = pagemap.read((end - start) // page * 8)
        for index in range((end - start) // page):
            entry = struct.unpack_from("<Q", entries, index * 8)[0]
            if not entry >> 63 & 1:  # not present
                continue
            file_offset = offset + index * page
            names = sorted({name for first, last, name in sections if first < file_offset + page and last > file_offset})
            private = not entry >> 61 & 1  # bit 61: a page of the file (or shared)
            pages[("anon:" if private else "") + ("+".join(names) or "?")] += 1
print(f"  resident pages of {binary}: {sum(pages.values()) * 4} KB")
for name, count in pages.most_common(12):
    print(f"  {count * 4:8d} KB  {name}")
