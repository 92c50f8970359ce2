"""Spreadsheet import: read a file as it comes, map its columns, plan every row, then
write the plan in one transaction (or not at all).

    reading.py      bytes -> Table (encoding, delimiter, sheet, header row, limits)
    mapping.py      header synonyms in five languages and tools' export layouts
    normalise.py    cleaning one cell: e-mail, names, countries, phones, dates, yes/no
    planning.py     rows -> Plan (dedupe within the file and against the database)
    writing.py      Plan -> database, keeping what changed for undo
    run.py          preview / commit: the entry point of the command, tasks and admin
    undo.py         reverse an import where what it wrote is unchanged since
    views.py, forms.py, admin_forms.py   the wizard and the admin's import forms

Signatures and invite lists (which belong to an ask) are planned and written in
outreach/importing.py through the outreach services.
"""
