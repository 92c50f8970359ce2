"""One entry point for the command, the wizard's background task and the admin:
read the file, plan every row, and (when asked) write the plan in one transaction."""

import contextlib
import datetime
import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.utils import timezone

from crm.audit import log_import
from crm.importing.mapping import guess_mapping
from crm.importing.planning import PLANNERS, Options, RowError
from crm.importing.reading import FileUnreadable, pack_table, read_table, unpack_table
from crm.importing.report import rows_with_warnings
from crm.models import Contact, ImportRecord
from outreach.signature_cache import signatures_changed

CONCURRENT_EMAIL = (
    "A contact with this e-mail was saved by someone else while the import ran; "
    "nothing was imported. Run the import again to match it."
)
REFUSED = "{invalid} invalid row(s): nothing was imported."


@dataclass
class Outcome:
    counts: dict
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)
    committed: bool = False
    day_first: bool | None = None

    def as_json(self):
        return {
            **self.counts,
            "errors": [e.as_dict() if isinstance(e, RowError) else e for e in self.errors],
            "warnings": self.warnings,
            "committed": self.committed,
        }


class RowsRefused(Exception):
    """A writer refused a row the plan accepted; the transaction rolls back."""


class _Refused(Exception):
    def __init__(self, outcome):
        self.outcome = outcome


def sha256(data):
    return hashlib.sha256(data).hexdigest()


def new_record(*, kind, data, file_name, user=None, ask=None, options=None):
    return ImportRecord.objects.create(
        kind=kind,
        data=data,
        file_name=file_name[:255],
        sha256=sha256(data),
        created_by=user,
        ask=ask,
        options=options or {},
    )


def forget_stale_files(*, now=None):
    """Drop the uploaded files of imports left unfinished for IMPORT_KEEP_FILES_DAYS: they
    hold personal data nobody is going to import. The records (counts, errors) stay."""
    days = getattr(settings, "IMPORT_KEEP_FILES_DAYS", 2)
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    return (
        ImportRecord.objects.filter(created_at__lt=cutoff)
        .exclude(status__in=RUNNING)
        .holding_a_file()
        .update(data=b"", table=b"")
    )


RUNNING = [
    ImportRecord.Status.READING,
    ImportRecord.Status.PREVIEWING,
    ImportRecord.Status.COMMITTING,
]


def options_of(record):
    known = Options().as_dict()
    return Options(**{k: v for k, v in record.options.items() if k in known})


def read(record):
    """Read the uploaded file, once (the worker's first step): keep the table as read,
    its columns and a guessed mapping. Raises FileUnreadable; the file is dropped then."""
    try:
        _read_file(record)
    except FileUnreadable:
        ImportRecord.objects.filter(pk=record.pk).update(data=b"", table=b"")
        raise
    record.status = ImportRecord.Status.UPLOADED
    record.save()


def load(record):
    """The record's table: the copy read at upload, or (a file not read yet, another
    sheet chosen) the file read now. Stores the columns and, unless chosen, a guess of
    the mapping; the caller saves the record."""
    if record.table:
        return unpack_table(record.table)
    return _read_file(record)


def _read_file(record):
    table = read_table(
        bytes(record.data), filename=record.file_name, sheet=record.options.get("sheet")
    )
    record.table = pack_table(table)
    if len(table.sheets) <= 1:
        record.data = b""  # one copy: what was read; a workbook keeps its other sheets
    if table.sheet:
        record.options = {**record.options, "sheet": table.sheet}
    if record.headers != table.headers or len(record.mapping) != len(table.headers):
        record.headers = table.headers
        record.mapping = guess_mapping(table.headers, record.kind)
    return table


def _planner(record):
    if record.kind in PLANNERS:
        return PLANNERS[record.kind]
    from outreach.importing import PLANNERS as ASK_PLANNERS

    return ASK_PLANNERS[record.kind]


def _writer(record):
    from crm.importing import writing

    if record.kind == "contacts":
        return writing.write_contacts
    if record.kind == "organisations":
        return writing.write_organisations
    from outreach.importing import WRITERS

    return WRITERS[record.kind]


@contextlib.contextmanager
def _progress_outside_the_transaction(record, wanted):
    """Progress of a commit, visible to the page polling it while the import's
    transaction is open. PostgreSQL: written through a second connection, in autocommit
    (the import's transaction only touches the record's row at its very end). SQLite
    allows one writer at a time, so there the page shows an indeterminate bar."""
    if not wanted or connection.vendor != "postgresql":
        yield None
        return
    side = connections.create_connection(DEFAULT_DB_ALIAS)
    table = connection.ops.quote_name(ImportRecord._meta.db_table)

    def report(done, total):
        with side.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET progress_done = %s, progress_total = %s WHERE id = %s",
                [done, total, record.pk],
            )

    try:
        yield report
    finally:
        side.close()


def _progress(record):
    def report(done, total):
        ImportRecord.objects.filter(pk=record.pk).update(progress_done=done, progress_total=total)

    return report


def _plan(record, table, progress):
    options = options_of(record)
    planner = _planner(record)
    if record.kind in PLANNERS:
        plan = planner(table, record.mapping, options, progress=progress)
    else:
        plan = planner(table, record.mapping, options, ask=record.ask, progress=progress)
    plan.warnings[:0] = table.warnings
    return plan


def _outcome(plan, committed):
    return Outcome(
        counts=plan.counts(),
        errors=sorted(plan.errors, key=lambda e: (e.row, e.column)),
        warnings=plan.warnings,
        committed=committed,
        day_first=plan.day_first,
    )


def preview(record, *, table=None, progress=True):
    """Plan the import and store what it would do. Writes nothing but the record."""
    table = table or load(record)
    plan = _plan(record, table, _progress(record) if progress else None)
    outcome = _outcome(plan, committed=False)
    _store(record, outcome, ImportRecord.Status.PREVIEWED)
    return outcome


def commit(record, *, user=None, table=None, progress=True):
    """Plan and write in one transaction. With invalid rows nothing is written, unless
    the record's options say to skip them. What is reported is what was stored."""
    table = table or load(record)
    user = user or record.created_by
    with _progress_outside_the_transaction(record, progress) as report:
        return _commit(record, table, user, report)


def _commit(record, table, user, report):
    record._history_user = user  # who the history and the log name for the import
    try:
        with transaction.atomic():
            plan = _plan(record, table, report)
            if plan.errors and not plan.options.skip_invalid:
                raise _Refused(_outcome(plan, committed=False))
            record.created_ids = {}
            try:
                _writer(record)(plan, record, user)
            except RowsRefused as error:
                raise _Refused(_outcome(plan, committed=False)) from error
            # Bulk writes send no signals: the cached figures learn of them here.
            signatures_changed(everything=True)
            # Counted after writing: what is reported is what was stored.
            outcome = _outcome(plan, committed=True)
            record.committed_at = timezone.now()
            record.forget_file()  # the file is not kept once imported
            _store(record, outcome, ImportRecord.Status.COMMITTED)
    except _Refused as refused:
        record.refresh_from_db(fields=["data", "table"])
        record.message = REFUSED.format(invalid=refused.outcome.counts["invalid"])
        _store(record, refused.outcome, ImportRecord.Status.REFUSED)
        return refused.outcome
    except IntegrityError:
        # Someone saved a contact with one of the file's e-mails after we looked.
        outcome = _concurrent_outcome(record, table)
        _store(record, outcome, ImportRecord.Status.REFUSED)
        return outcome
    return outcome


def _concurrent_outcome(record, table):
    record.refresh_from_db(fields=["data", "table"])
    record.created_ids = {}
    plan = _plan(record, table, None)
    outcome = _outcome(plan, committed=False)
    created_meanwhile = set()
    for draft in plan.contacts:
        if draft.instance is not None and draft.instance.created_at >= record.created_at:
            created_meanwhile.add(draft.instance.email)
    if not created_meanwhile:
        emails = {d.fields.get("email") for d in plan.contacts if d.instance is None}
        created_meanwhile = set(
            Contact.objects.filter(email__in=emails).values_list("email", flat=True)
        )
    column = record.headers[record.mapping.index("email")] if "email" in record.mapping else ""
    for draft in plan.contacts:
        email = draft.instance.email if draft.instance else draft.fields.get("email")
        if email in created_meanwhile:
            outcome.errors.append(RowError(draft.row, column, email, CONCURRENT_EMAIL))
    if not outcome.errors:
        outcome.errors.append(RowError(0, "", "", CONCURRENT_EMAIL))
    outcome.counts["invalid"] = len({e.row for e in outcome.errors})
    record.message = CONCURRENT_EMAIL
    return outcome


def _store(record, outcome, status):
    record.status = status
    record.counts = {**outcome.counts, "warnings": rows_with_warnings(outcome.warnings)}
    record.errors = [e.as_dict() for e in outcome.errors]
    record.warnings = outcome.warnings
    if outcome.day_first is not None and "day_first" not in record.options:
        record.options = {**record.options, "proposed_day_first": outcome.day_first}
    if getattr(record, "_history_user", None) is None:
        record._history_user = record.created_by
    record.save()
    if status != ImportRecord.Status.PREVIEWED:
        log_import(
            user=record._history_user,
            kind=record.kind,
            status=status,
            counts=record.counts,
            record_id=record.pk,
        )
