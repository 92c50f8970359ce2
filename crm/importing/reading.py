"""Reading CSV and XLSX files as people bring them, into a Table of text cells."""

import csv
import datetime
import io
import itertools
import json
import zipfile
import zlib
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings

from crm.importing.mapping import header_score

UNREADABLE = "The file could not be read: {reason}"
TOO_LARGE = "The file is {size} MB; the largest file accepted is {limit} MB."
TOO_LARGE_UNCOMPRESSED = "The spreadsheet unpacks to {size} MB; the largest accepted is {limit} MB."
TOO_MANY_ROWS = "The file has more than {limit} rows; split it into smaller files."
TOO_MANY_COLUMNS = (
    "The file has {count} columns; the most accepted is {limit}. Remove the unused columns."
)
NUL_REMOVED = "Invisible NUL characters were removed from this row."
NO_SHEET = "The workbook has no sheet named “{sheet}” (sheets: {sheets})."
NO_HEADER = "No header row found: the first rows must name the columns."

# Title rows above the header are looked for this far down.
HEADER_SEARCH_ROWS = 15


class FileUnreadable(Exception):
    """The file cannot be imported at all (as opposed to some rows being invalid)."""

    def __init__(self, message, *, too_large=False):
        super().__init__(message)
        self.too_large = too_large


@dataclass
class Row:
    number: int  # as the spreadsheet shows it (1 = first line of the file)
    cells: list


@dataclass
class Table:
    headers: list
    rows: list  # Row, blank rows left out
    header_row: int = 1
    blank: int = 0
    encoding: str = ""
    delimiter: str = ""
    sheet: str = ""
    sheets: list = field(default_factory=list)
    # Found while reading, shown with the plan's: {"row", "column", "value", "reason"}.
    warnings: list = field(default_factory=list)


def max_bytes():
    return getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024)


def max_columns():
    return getattr(settings, "IMPORT_MAX_COLUMNS", 200)


def max_rows():
    return getattr(settings, "IMPORT_MAX_ROWS", 200_000)


def _mb(size):
    return f"{size / 1024 / 1024:.1f}".rstrip("0").rstrip(".")


def check_size(size):
    if size > max_bytes():
        raise FileUnreadable(
            TOO_LARGE.format(size=_mb(size), limit=_mb(max_bytes())), too_large=True
        )


def is_xlsx(data):
    return data[:4] == b"PK\x03\x04"


def read_table(data, *, filename="", sheet=None):
    """Read `data` (bytes) as CSV or XLSX. Raises FileUnreadable."""
    check_size(len(data))
    if is_xlsx(data) or filename.lower().endswith((".xlsx", ".xlsm")):
        return _read_xlsx(data, sheet)
    return _read_csv(data)


# --- CSV -------------------------------------------------------------------------------


def decode(data):
    """Bytes -> (text, encoding). UTF-8 (with or without BOM) when it decodes as such;
    otherwise Windows-1252, which is what Excel writes in Western locales (and a
    superset of Latin-1 for printable characters); Latin-1 for the five bytes 1252
    leaves undefined."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data)
    if mixed:
        return mixed
    try:
        return data.decode("cp1252"), "windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


MIXED_ENCODING = (
    "Lines {lines} were written in Windows-1252 and the others in UTF-8; each line was "
    "read in its own encoding. Check the names on these lines."
)


def _decode_mixed(data):
    """A file pasted together from UTF-8 and Windows-1252 parts: each line is read in the
    encoding it is valid in. None when no line has non-ASCII UTF-8 (a plain 1252 file)."""
    parts, legacy, utf8 = [], [], False
    for number, line in enumerate(data.split(b"\n"), start=1):
        try:
            parts.append(line.decode("utf-8"))
            utf8 = utf8 or not line.isascii()
        except UnicodeDecodeError:
            parts.append(line.decode("cp1252", errors="replace"))
            legacy.append(number)
    if not utf8:
        return None
    return "\n".join(parts), "mixed:" + ",".join(map(str, legacy))


def sniff_delimiter(text):
    """The delimiter that splits the first lines into the most rows of one same width
    (title rows above the header have one cell whatever the delimiter)."""
    sample = text[: 64 * 1024]
    best, best_score = ",", (0, 0)
    for delimiter in ",;\t":
        try:
            records = list(
                itertools.islice(csv.reader(io.StringIO(sample), delimiter=delimiter), 30)
            )
        except csv.Error:
            continue
        widths = Counter(len(r) for r in records if len(r) > 1)
        if not widths:
            continue
        width, rows = widths.most_common(1)[0]
        if (rows, width) > best_score:
            best, best_score = delimiter, (rows, width)
    return best


def _read_csv(data):
    text, encoding = decode(data)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    delimiter = sniff_delimiter(text)
    try:
        records = list(_limited(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)))
    except csv.Error as error:
        raise FileUnreadable(UNREADABLE.format(reason=error)) from error
    table = _tabulate(records)
    if encoding.startswith("mixed:"):
        lines = encoding.removeprefix("mixed:").replace(",", ", ")
        table.warnings.insert(
            0, {"row": 0, "column": "", "value": "", "reason": MIXED_ENCODING.format(lines=lines)}
        )
        encoding = "mixed UTF-8 / Windows-1252"
    table.encoding, table.delimiter = encoding, delimiter
    return table


def _limited(records):
    limit = max_rows() + HEADER_SEARCH_ROWS
    for index, record in enumerate(records):
        if index > limit:
            raise FileUnreadable(TOO_MANY_ROWS.format(limit=max_rows()), too_large=True)
        yield record


# --- XLSX ------------------------------------------------------------------------------


def _read_xlsx(data, sheet):
    import openpyxl

    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as error:
        raise FileUnreadable(UNREADABLE.format(reason="not a valid XLSX file")) from error
    limit = getattr(settings, "IMPORT_MAX_UNCOMPRESSED_BYTES", 5 * max_bytes())
    if unpacked > limit:
        raise FileUnreadable(
            TOO_LARGE_UNCOMPRESSED.format(size=_mb(unpacked), limit=_mb(limit)), too_large=True
        )
    try:
        # Read-only: rows stream from the archive instead of a whole sheet in memory (a
        # 200,000-row file). Not data_only: a formula is data here, imported as typed.
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except Exception as error:  # openpyxl raises many kinds on a broken archive
        raise FileUnreadable(UNREADABLE.format(reason="not a valid XLSX file")) from error
    names = workbook.sheetnames
    if sheet and sheet not in names:
        raise FileUnreadable(NO_SHEET.format(sheet=sheet, sheets=", ".join(names)))
    worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
    merged = _merged_ranges(archive, worksheet)
    values_of = {}  # the value of each merged range's first cell, once read
    records = []
    for r, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if r > max_rows() + HEADER_SEARCH_ROWS:
            raise FileUnreadable(TOO_MANY_ROWS.format(limit=max_rows()), too_large=True)
        row = []
        for c, value in enumerate(values, start=1):
            origin = merged.get((r, c))
            if origin == (r, c):
                values_of[origin] = value
            elif origin is not None:
                value = values_of.get(origin)
            row.append(_xlsx_cell(value))
        records.append(row)
    workbook.close()
    table = _tabulate(records, ragged=True)
    table.sheet, table.sheets, table.encoding = worksheet.title, names, "xlsx"
    return table


def _merged_ranges(archive, worksheet):
    """{(row, column): (first row, first column)} of the sheet's merged ranges, read from
    its XML (a read-only sheet does not know them). Merged cells take the first cell's
    value, as the eye reads them."""
    from xml.etree.ElementTree import iterparse

    from openpyxl.utils.cell import range_boundaries

    path = worksheet._worksheet_path.lstrip("/")
    merged = {}
    with archive.open(path) as xml:
        for _event, element in iterparse(xml):
            if element.tag.endswith("}mergeCell"):
                min_col, min_row, max_col, max_row = range_boundaries(element.get("ref"))
                for row in range(min_row, max_row + 1):
                    for col in range(min_col, max_col + 1):
                        merged[(row, col)] = (min_row, min_col)
            element.clear()  # the sheet's rows are not kept: only the ranges are
    return merged


def _xlsx_cell(value):
    # Dates stay date objects: the cell is a date whatever its display format.
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


# --- both ------------------------------------------------------------------------------


def _is_blank(cells):
    return all(isinstance(c, str) and not c.strip() for c in cells)


def _find_header(records):
    """The header is the row, among the first ones, that looks most like column names;
    rows above it (a title, a date, an empty line) are not data."""
    best, best_score = None, 0
    for index, cells in enumerate(records[:HEADER_SEARCH_ROWS]):
        names = [c.strip() for c in cells if isinstance(c, str) and c.strip()]
        if len(names) < 1:
            continue
        score = header_score(names) * 10 + len(names)
        if best is None or score > best_score:
            best, best_score = index, score
    if best is None:
        raise FileUnreadable(NO_HEADER)
    return best


def _tabulate(records, ragged=False):
    if not records or all(_is_blank(r) for r in records[:HEADER_SEARCH_ROWS]):
        raise FileUnreadable(UNREADABLE.format(reason="the file is empty"))
    header_index = _find_header(records)
    warnings = []
    records = [_without_nul(index + 1, r, warnings) for index, r in enumerate(records)]
    headers = [str(c).strip() for c in records[header_index]]
    if ragged:
        # A sheet's rows are as wide as its widest row: empty cells at the right of the
        # header are not columns.
        while headers and not headers[-1]:
            headers.pop()
    if len(headers) > max_columns():
        # The mapping page has one field per column: a very wide file could never be sent.
        raise FileUnreadable(TOO_MANY_COLUMNS.format(count=len(headers), limit=max_columns()))
    rows, blank = [], 0
    for index in range(header_index + 1, len(records)):
        cells = records[index]
        if _is_blank(cells):
            blank += 1
            continue
        if ragged:
            cells = list(cells)
            while len(cells) > len(headers) and _is_blank(cells[-1:]):
                cells.pop()
            cells += [""] * (len(headers) - len(cells))
        rows.append(Row(number=index + 1, cells=cells))
    return Table(
        headers=headers, rows=rows, header_row=header_index + 1, blank=blank, warnings=warnings
    )


def _without_nul(number, cells, warnings):
    """NUL characters are never meant (PostgreSQL refuses them, SQLite would store them):
    they are taken out of every cell, with one warning per row."""
    if not any(isinstance(c, str) and "\x00" in c for c in cells):
        return cells
    warnings.append({"row": number, "column": "", "value": "", "reason": NUL_REMOVED})
    return [c.replace("\x00", "") if isinstance(c, str) else c for c in cells]


# --- the parsed copy --------------------------------------------------------------------


def pack_table(table):
    """The table as compressed JSON, cells typed (a workbook's dates stay dates)."""
    document = {
        "headers": table.headers,
        "rows": [[row.number, [_pack_cell(c) for c in row.cells]] for row in table.rows],
        **{name: getattr(table, name) for name in _TABLE_DETAILS},
    }
    return zlib.compress(json.dumps(document, ensure_ascii=False).encode("utf-8"), 6)


def unpack_table(data):
    document = json.loads(zlib.decompress(bytes(data)).decode("utf-8"))
    return Table(
        headers=document["headers"],
        rows=[Row(number, [_unpack_cell(c) for c in cells]) for number, cells in document["rows"]],
        **{name: document[name] for name in _TABLE_DETAILS},
    )


_TABLE_DETAILS = ("header_row", "blank", "encoding", "delimiter", "sheet", "sheets", "warnings")


def _pack_cell(value):
    if isinstance(value, datetime.datetime):
        return {"datetime": value.isoformat()}
    if isinstance(value, datetime.date):
        return {"date": value.isoformat()}
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)  # a workbook's time or duration: as its text


def _unpack_cell(value):
    if isinstance(value, dict):
        if "datetime" in value:
            return datetime.datetime.fromisoformat(value["datetime"])
        return datetime.date.fromisoformat(value["date"])
    return value
