"""Tables as files people download: CSV (UTF-8 with a BOM, so Excel reads Chinese) and Excel. Text
never runs as a formula: a CSV cell starting with = + - @ gets a leading ', an Excel cell is text."""
from __future__ import annotations

import csv
import io

from flask import Response, send_file

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(text: str) -> str:
    """A CSV cell a spreadsheet will not run as a formula."""
    return "'" + text if text[:1] in FORMULA_STARTS else text


def csv_response(rows, filename: str) -> Response:
    """`rows` (lists of text and numbers) as a CSV download."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([safe_text(value) if isinstance(value, str) else ("" if value is None else str(value)) for value in row])
    return Response(out.getvalue(), mimetype="text/csv; charset=utf-8", headers={"Content-Disposition": f"attachment; filename={filename}"})


def xlsx_cell(sheet, value):
    """A cell of a write-only sheet: numbers as numbers, text always as text (never a formula)."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if not isinstance(value, str):
        return WriteOnlyCell(sheet, value=value)
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", value))
    cell.data_type = "s"
    return cell


def xlsx_response(rows, title: str, filename: str):
    """`rows` as an Excel download, one sheet named `title` (at most 31 characters)."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31] or "sheet")
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return send_file(out, mimetype=XLSX_TYPE, as_attachment=True, download_name=filename)
