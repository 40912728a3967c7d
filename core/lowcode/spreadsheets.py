"""Reading an uploaded CSV or Excel (.xlsx) file into a table of text, with limits.

A file comes from anyone who may import, so it is read as hostile: a CSV as text in UTF-8, else in
the encoding charset-normalizer detects (or the user chooses), with strict quoting; an .xlsx (a zip
of XML parts) only after its parts' unpacked sizes and compression ratios are checked, and after
every part is scanned as a stream (constant memory) for
a document type (entity expansion), a row with more cells than Excel allows and more cells than an
import reads. Only then does openpyxl read the first sheet, row by row, ignoring the sheet's own
claim about its size: empty rows and trailing empty cells are never materialised, and every row,
column and cell counts against the limits as it is read. Every refusal is a `FileProblem` whose
message says what to do.
"""
from __future__ import annotations

import csv
import datetime
import io
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

from flask_babel import format_number
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

MAX_ROWS = 50_000
MAX_COLUMNS = 200
MAX_CELL = 5000  # characters of one cell
MAX_CELLS = 2_000_000  # cells of one sheet (or shared texts of a workbook)
MAX_UNPACKED = 100 * 1024 * 1024  # bytes an .xlsx unpacks to, all parts together
MAX_RATIO = 100  # unpacked / packed size of a part bigger than RATIO_FROM
RATIO_FROM = 1024 * 1024
MAX_PART_ELEMENTS = 200_000  # elements of a part other than cells and texts (styles, settings...)
EXCEL_COLUMNS = 16_384  # the most cells a row of Excel has
SCAN_CHUNK = 64 * 1024
# Elements of cells and texts (in a sheet and in the shared texts), counted by the cell limits.
DATA_TAGS = frozenset({"row", "c", "v", "f", "is", "t", "si", "r", "rPh", "phoneticPr"})


class FileProblem(ValueError):
    """The file cannot be read at all; the message says why and what to do."""


@dataclass
class Table:
    header: list[str]
    rows: list[list[str]]  # each row as text cells, padded to the header's length
    problems: list[tuple[int, str]] = field(default_factory=list)  # (line, message) of rows of the wrong width
    encoding: str | None = None  # what a CSV file was read as (None for .xlsx)


def _too_many_rows() -> FileProblem:
    return FileProblem(_("The file has more than %(count)d rows; split it into smaller files.", count=MAX_ROWS))


def _too_many_cells() -> FileProblem:
    return FileProblem(_("The file has more than %(count)s cells; split it into smaller files.",
                         count=format_number(MAX_CELLS)))


def _too_many_columns() -> FileProblem:
    return FileProblem(_("The file has more than %(count)d columns.", count=MAX_COLUMNS))


def _damaged() -> FileProblem:
    return FileProblem(_("This is not an Excel .xlsx file, or it is damaged. Save it again as .xlsx or CSV."))


# -- CSV ----------------------------------------------------------------------------------------


# The encodings a user may choose for a CSV file (codec name -> what the page shows).
ENCODINGS = {
    "utf-8": "UTF-8",
    "gb18030": "GB18030 / GBK",
    "big5": "Big5",
    "cp1252": _l("Windows-1252 (Western)"),
    "latin-1": _l("ISO-8859-1 (Latin-1)"),
    "shift_jis": "Shift JIS",
    "euc-kr": "EUC-KR",
    "cp1251": _l("Windows-1251 (Cyrillic)"),
}
_DETECTABLE = ["gb18030", "big5", "cp1252", "shift_jis", "euc_kr", "cp1251"]
_ALIASES = {"gb2312": "gb18030", "gbk": "gb18030", "latin_1": "latin-1", "euc_kr": "euc-kr", "utf_8": "utf-8"}


def detect_encoding(raw: bytes) -> str:
    """UTF-8 (with or without BOM) first; else what charset-normalizer finds most likely among the
    choosable encodings, GB18030 (which reads GBK and GB2312) first among equally likely ones; a
    FileProblem when none fits."""
    try:
        raw.decode("utf-8-sig")
        return "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    matches = from_bytes(raw[:256 * 1024], cp_isolation=_DETECTABLE)
    best = matches.best()
    chinese = next((match for match in matches if match.encoding == "gb18030"), None)
    if best is not None and chinese is not None and chinese.chaos <= best.chaos:
        best = chinese  # as clean as the best guess: a few Chinese words in a mostly ASCII file are Chinese
    encoding = _ALIASES.get(best.encoding.lower(), best.encoding.lower()) if best is not None else None
    if encoding not in ENCODINGS:
        raise FileProblem(_("The file is neither UTF-8 nor GBK text. Save it as “CSV UTF-8” and upload it again."))
    return encoding


def decode(raw: bytes, encoding: str | None = None) -> tuple[str, str]:
    """The text of a CSV file and the encoding it was read with: `encoding` when given (one of
    ENCODINGS), else the detected one."""
    if encoding is not None and encoding not in ENCODINGS:
        raise FileProblem(_("“%(encoding)s” is not an encoding this page reads; choose one from the list.",
                            encoding=encoding[:40]))
    encoding = encoding or detect_encoding(raw)
    try:
        return raw.decode("utf-8-sig" if encoding == "utf-8" else encoding), encoding
    except UnicodeDecodeError:
        raise FileProblem(_("The file cannot be read as %(encoding)s; choose another encoding, or save it as "
                            "“CSV UTF-8” and upload it again.", encoding=ENCODINGS[encoding])) from None


def read_csv(raw: bytes, encoding: str | None = None) -> Table:
    text, encoding = decode(raw, encoding)
    if not text.strip():
        raise FileProblem(_("The file is empty."))
    if "\x00" in text:
        raise FileProblem(_("This does not look like a CSV file."))
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=dialect.delimiter, quotechar='"',
                        doublequote=True, skipinitialspace=False, strict=True)
    lines, cells = [], 0
    try:
        for row in reader:
            lines.append((reader.line_num, row))
            cells += len(row)
            if len(lines) > MAX_ROWS + 1:
                raise _too_many_rows()
            if cells > MAX_CELLS:
                raise _too_many_cells()
    except csv.Error as error:
        raise FileProblem(_("Line %(line)d: the quotes do not match (%(error)s). Check that every opening quote is closed.",
                            line=reader.line_num, error=str(error))) from None
    table = _table(lines)
    table.encoding = encoding
    return table


# -- XLSX ---------------------------------------------------------------------------------------


class _PartScan:
    """Counts, as expat streams one part of the zip, what openpyxl would hold in memory."""

    def __init__(self):
        self.cells = self.row_cells = self.texts = self.other = 0
        self.in_run = 0  # depth inside a rich-text run's properties (<rPr>), which are texts too

    def start(self, tag: str, _attributes) -> None:
        name = tag.rpartition(":")[2]  # prefixes vary between writers; no namespace processing
        if self.in_run:
            self.in_run += 1
        elif name == "c":
            self.cells += 1
            self.row_cells += 1
            if self.row_cells > EXCEL_COLUMNS:
                raise FileProblem(_("A row of the sheet has more cells than Excel allows; the file is damaged."))
            if self.cells > MAX_CELLS:
                raise _too_many_cells()
        elif name == "row":
            self.row_cells = 0
        elif name == "si":
            self.texts += 1
            if self.texts > MAX_CELLS:
                raise _too_many_cells()
        elif name == "rPr":
            self.in_run = 1
        elif name not in DATA_TAGS:
            self.other += 1
            if self.other > MAX_PART_ELEMENTS:
                raise _damaged()

    def end(self, _tag: str) -> None:
        if self.in_run:
            self.in_run -= 1


def _refuse_document_type(*_args) -> None:
    raise _damaged()  # no part of an .xlsx has one; it is how entity expansion gets in


def _scan(package: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    scan = _PartScan()
    parser = expat.ParserCreate()
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    parser.StartDoctypeDeclHandler = _refuse_document_type
    parser.EntityDeclHandler = _refuse_document_type
    try:
        with package.open(member) as stream:  # unpacks at most the declared size (then checks the CRC)
            while chunk := stream.read(SCAN_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except expat.ExpatError:
        return  # not XML (a picture): openpyxl does not parse it, or fails on it as on any damage
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError, OSError):
        raise _damaged() from None


def check_package(raw: bytes) -> None:
    """Refuse an .xlsx that would take more memory to read than an import may, before reading it."""
    try:
        package = zipfile.ZipFile(io.BytesIO(raw))
        members = package.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _damaged() from None
    with package:
        unpacked = sum(member.file_size for member in members)
        squeezed = any(member.file_size > RATIO_FROM and member.file_size > MAX_RATIO * max(member.compress_size, 1)
                       for member in members)
        if unpacked > MAX_UNPACKED:
            raise FileProblem(_("The file is too large once unpacked (more than %(size)d MB); split it into smaller files "
                                "or save it as CSV.", size=MAX_UNPACKED // (1024 * 1024)))
        if squeezed:
            raise FileProblem(_("The file unpacks to more than %(ratio)d times its size, which no spreadsheet does; "
                                "save it again as .xlsx or CSV.", ratio=MAX_RATIO))
        for member in members:
            if not member.is_dir():
                _scan(package, member)


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if value.time() != datetime.time() else value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(raw: bytes) -> Table:
    from openpyxl import load_workbook

    check_package(raw)
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except Exception as error:  # noqa: BLE001 - whatever breaks in a hostile file is a damaged file, not a 500
        raise _damaged() from error
    try:
        if not workbook.worksheets:
            raise FileProblem(_("The file is empty."))
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # the sheet's own claim of its size is not trusted: rows come as they are
        lines, cells = [], 0
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            width = len(row)
            while width and (row[width - 1] is None or row[width - 1] == ""):
                width -= 1
            if not width:
                continue  # an empty row, stored or not, is skipped without a list of its cells
            if width > MAX_COLUMNS:
                raise _too_many_columns()
            cells += width
            if len(lines) >= MAX_ROWS + 1:
                raise _too_many_rows()
            if cells > MAX_CELLS:
                raise _too_many_cells()
            lines.append((number, [_cell_text(value)[:MAX_CELL] for value in row[:width]]))
    except FileProblem:
        raise
    except Exception as error:  # noqa: BLE001 - as above: a broken cell or part is a damaged file
        raise _damaged() from error
    finally:
        workbook.close()
    return _table(lines)


# -- both ---------------------------------------------------------------------------------------


def _table(lines: list[tuple[int, list[str]]]) -> Table:
    lines = [(number, row) for number, row in lines if any(cell.strip() for cell in row)]  # blank rows are skipped
    if not lines:
        raise FileProblem(_("The file is empty."))
    header = [cell.strip() for cell in lines[0][1]]
    while header and not header[-1]:
        header.pop()
    if not header:
        raise FileProblem(_("The first row must name the columns."))
    if len(header) > MAX_COLUMNS:
        raise _too_many_columns()
    if len(set(h.lower() for h in header if h)) != len([h for h in header if h]):
        raise FileProblem(_("Two columns have the same name in the first row; rename one of them."))
    if len(header) * (len(lines) - 1) > MAX_CELLS:
        raise _too_many_cells()
    table = Table(header=header, rows=[])
    for number, row in lines[1:]:
        cells = [cell[:MAX_CELL] for cell in row]
        while len(cells) > len(header) and not cells[-1].strip():
            cells.pop()
        if len(cells) > len(header):
            table.problems.append((number, _("This row has %(count)d values but the first row names %(columns)d columns.",
                                             count=len(cells), columns=len(header))))
        cells += [""] * (len(header) - len(cells))
        table.rows.append(cells)
    return table


def read_upload(filename: str, raw: bytes, encoding: str | None = None) -> Table:
    if filename.lower().endswith(".xlsx") or raw[:4] == b"PK\x03\x04":
        return read_xlsx(raw)
    if filename.lower().endswith((".xls", ".numbers", ".ods")):
        raise FileProblem(_("Save the sheet as .xlsx or CSV first; this format is not read."))
    return read_csv(raw, encoding)
