# SPDX-License-Identifier: GPL-3.0-or-later
"""xlsx_dump.py WORKBOOK: a workbook as JSON on standard output, read by openpyxl (Debian's
python3-openpyxl, a reader independent of the writer we use), for tests/cli/test_xlsx.c.

{"sheets": [names in order],
 "tables": {name: {"rows": [[cell, ...], ...],   numbers, true/false, strings; null = blank
                   "freeze": "A2",                the top-left cell of the unfrozen pane
                   "header_bold": true,           every title of row 1 is bold
                   "widths": [characters, ...]}}}  of each used column
Numbers are printed by Python's repr (shortest round trip), so a test compares doubles exactly.
"""
import json
import sys

import openpyxl
from openpyxl.utils import get_column_letter


def sheet(ws):
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header = [c for c in ws[1] if c.value is not None] if ws.max_row >= 1 else []
    widths = [ws.column_dimensions[get_column_letter(i + 1)].width
              for i in range(ws.max_column)]
    return {"rows": rows, "freeze": ws.freeze_panes,
            "header_bold": bool(header) and all(bool(c.font.b) for c in header),
            "widths": widths}


def main():
    wb = openpyxl.load_workbook(sys.argv[1])
    out = {"sheets": wb.sheetnames, "tables": {ws.title: sheet(ws) for ws in wb.worksheets}}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
