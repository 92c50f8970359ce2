#!/usr/bin/env python
"""Reading a large XLSX upload: time and how much the process's peak memory grows.

    .venv/bin/python bench/xlsx_read_bench.py              # 200,000 rows
    .venv/bin/python bench/xlsx_read_bench.py --smoke      # 300 rows, as the suite runs it

Writes a contacts workbook of --rows rows (6 columns, one sheet) with
openpyxl's write-only mode, then reads it with the import's reader
(crm.importing.reading.read_table), as the worker does once per upload, then writes and
loads the copy it keeps (pack_table / unpack_table), as the later steps do. No database.
"""

import argparse
import io
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "1")

import django  # noqa: E402

django.setup()

import openpyxl  # noqa: E402

from crm.importing.reading import pack_table, read_table, unpack_table  # noqa: E402


def workbook(rows):
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["First name", "Last name", "E-mail", "Organisation", "Country", "Member since"])
    for i in range(rows):
        sheet.append(
            [f"Ana{i}", "Lima", f"p{i}@example.org", f"Org {i % 2000}", "PT", "2023-09-26"]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, as the suite runs it")
    args = parser.parse_args()
    rows = 300 if args.smoke else args.rows
    data = workbook(rows)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    table = read_table(data, filename="contacts.xlsx")
    seconds = time.perf_counter() - started
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert len(table.rows) == rows, len(table.rows)
    print(
        f"read {len(table.rows):,} rows ({len(data) / 1e6:.1f} MB XLSX) in {seconds:.1f} s, "
        f"peak memory +{grown:.0f} MB"
    )
    # The worker keeps what it read; the mapping page, the preview and the commit load that.
    started = time.perf_counter()
    copy = pack_table(table)
    packed = time.perf_counter() - started
    started = time.perf_counter()
    assert unpack_table(copy) == table
    loaded = time.perf_counter() - started
    print(
        f"copy kept: {len(copy) / 1e6:.1f} MB, written in {packed:.1f} s, "
        f"loaded by each later step in {loaded:.1f} s (instead of reading the file again)"
    )


if __name__ == "__main__":
    main()
