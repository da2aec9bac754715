"""Reads a CSV file with Python's csv module, independently of Strata's reader.

Prints the file's records as a JSON array of arrays of strings (blank lines skipped, as in the
dialect; Python reads both NULL and the empty string as ''). A leading byte-order mark is dropped
by the utf-8-sig codec. Used by the JVM tests as an independent reading of the same bytes.
"""
import csv
import json
import sys

csv.field_size_limit(1 << 30)
with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    rows = [row for row in csv.reader(f, strict=True) if row]
json.dump(rows, sys.stdout, ensure_ascii=True)
