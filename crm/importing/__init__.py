"""Spreadsheet import: read a file as it comes, map its columns, plan every row, then
write the plan in one transaction (or not at all).

    reading.py    bytes -> Table (encoding, delimiter, sheet, header row, limits)
    mapping.py    header synonyms in several languages and tools' export layouts
    normalise.py  cleaning one cell: e-mail, names, countries, phones, dates, yes/no
    planning.py   rows -> Plan (dedupe within the file and against the database)
    writing.py    Plan -> database, in one transaction, with what changed kept for undo
    undo.py       reverse an import when what it wrote is unchanged since
    run.py        the entry point used by the command, the wizard's task and the admin
"""
