"""Reads CSV files with Python's csv module, independently of Strata's reader.

For each file named on the command line, prints its records as a JSON array of arrays of
strings (blank lines skipped, as in the dialect; Python reads both NULL and the empty string as
''); the output is one JSON array, one element per file. A leading byte-order mark is dropped by
the utf-8-sig codec. Used by the JVM tests as an independent reading of the same bytes.
"""
import csv
import json
import sys

csv.field_size_limit(1 << 30)
out = []
for name in sys.argv[1:]:
    with open(name, newline="", encoding="utf-8-sig") as f:
        out.append([row for row in csv.reader(f, strict=True) if row])
json.dump(out, sys.stdout, ensure_ascii=True)
