"""Small files written by the tests themselves: CSV in any encoding, XLSX with openpyxl."""

import io
import json

import openpyxl
from django.core.management import call_command

from crm.importing import run


def csv_bytes(rows, *, delimiter=",", encoding="utf-8", bom=False, newline="\r\n"):
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator=newline)
    writer.writerows(rows)
    data = buffer.getvalue().encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def xlsx_bytes(rows, *, sheet="Sheet1", extra_sheets=(), merge=()):
    workbook = openpyxl.Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    for row in rows:
        worksheet.append(row)
    for cell_range in merge:
        worksheet.merge_cells(cell_range)
    for name, extra_rows in extra_sheets:
        other = workbook.create_sheet(name)
        for row in extra_rows:
            other.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def do_import(kind, data, *, file_name="file.csv", commit=True, user=None, ask=None, **options):
    record = run.new_record(
        kind=kind, data=data, file_name=file_name, user=user, ask=ask, options=options
    )
    if commit:
        return run.commit(record, user=user, progress=False)
    return run.preview(record, progress=False)


def command(tmp_path, kind, data, *args, name="file.csv"):
    path = tmp_path / name
    path.write_bytes(data)
    out = io.StringIO()
    code = 0
    try:
        call_command("import_spreadsheet", kind, str(path), "--json", *args, stdout=out)
    except SystemExit as exit:
        code = exit.code
    return code, json.loads(out.getvalue())
