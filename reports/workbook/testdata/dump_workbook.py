"""Dump an .xlsx as openpyxl reads it, as JSON on stdout, for the Go tests.

Usage: python3 dump_workbook.py FILE.xlsx

For every sheet: its cell values (dates as ISO text), their number formats,
frozen panes, autofilter, print setup, print titles, charts with their
series, and the number of rows a read-only reader sees (it trusts the
sheet's dimension).
"""

import datetime
import json
import sys

import openpyxl


def plain(v):
    if isinstance(v, (datetime.datetime, datetime.date)):
        return v.isoformat()
    return v


def chart_title(chart):
    try:
        return "".join(r.t for p in chart.title.tx.rich.p for r in (p.r or []))
    except AttributeError:
        return None


def series(s):
    cat = None
    if s.cat is not None:
        ref = s.cat.strRef or s.cat.numRef
        cat = ref.f if ref is not None else None
    name = s.tx.strRef.f if s.tx is not None and s.tx.strRef is not None else None
    return {"name": name, "categories": cat, "values": s.val.numRef.f if s.val is not None and s.val.numRef is not None else None}


def main(path):
    wb = openpyxl.load_workbook(path)
    ro = openpyxl.load_workbook(path, read_only=True)
    out = {"sheets": wb.sheetnames, "sheet": {}}
    for ws in wb.worksheets:
        ps = ws.page_setup
        props = ws.sheet_properties.pageSetUpPr
        out["sheet"][ws.title] = {
            "freeze": ws.freeze_panes,
            "filter": ws.auto_filter.ref,
            "orientation": ps.orientation,
            "paper": ps.paperSize,
            "fit_to_width": ps.fitToWidth,
            "fit_to_height": ps.fitToHeight,
            "fit_to_page": bool(props is not None and props.fitToPage),
            "print_title_rows": ws.print_title_rows,
            "max_row": ws.max_row,
            "read_only_rows": sum(1 for _ in ro[ws.title].iter_rows()),
            "merged": [str(r) for r in ws.merged_cells.ranges],
            "charts": [
                {"type": type(c).__name__, "title": chart_title(c), "series": [series(s) for s in c.series]}
                for c in ws._charts
            ],
            "rows": [[plain(c.value) for c in r] for r in ws.iter_rows()],
            "formats": [[c.number_format for c in r] for r in ws.iter_rows()],
        }
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1])
