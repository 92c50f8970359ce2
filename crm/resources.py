"""django-import-export resources for the admin's Import button. They declare the
columns like any ModelResource, but rows go through the same planner as the import
wizard and the command (crm.importing): the same synonyms, normalisation, dedupe,
preview and all-or-nothing commit, and an ImportRecord that can be undone."""

from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.results import Result, RowResult

from crm.importing import run
from crm.importing.mapping import guess_mapping
from crm.importing.planning import PLANNERS, Options
from crm.importing.reading import Row, Table
from crm.models import Contact, Organisation

_IMPORT_TYPES = {
    "new": RowResult.IMPORT_TYPE_NEW,
    "updated": RowResult.IMPORT_TYPE_UPDATE,
    "unchanged": RowResult.IMPORT_TYPE_SKIP,
    "skipped": RowResult.IMPORT_TYPE_SKIP,
}


def _cell(value):
    return "" if value is None else value


class PlannedImportResource(resources.ModelResource):
    """A resource whose import_data runs the import planner instead of saving row by
    row (which would be neither all-or-nothing nor fast)."""

    kind = ""

    def __init__(self, ask=None, **kwargs):
        super().__init__(**kwargs)
        self.ask = ask

    def table_from(self, dataset):
        headers = [str(h or "") for h in (dataset.headers or [])]
        rows = []
        for index, values in enumerate(dataset, start=2):
            cells = [_cell(v) for v in values]
            if all(not str(c).strip() for c in cells):
                continue
            rows.append(Row(number=index, cells=cells))
        return Table(headers=headers, rows=rows)

    def import_data(self, dataset, dry_run=False, raise_errors=False, **kwargs):
        table = self.table_from(dataset)
        user = kwargs.get("user")
        if dry_run:
            mapping = guess_mapping(table.headers, self.kind)
            options = Options()
            if self.kind in PLANNERS:
                plan = PLANNERS[self.kind](table, mapping, options)
            else:
                from outreach.importing import PLANNERS as ASK_PLANNERS

                plan = ASK_PLANNERS[self.kind](table, mapping, options, ask=self.ask)
            return self._result(table, plan.errors, plan.counts())
        record = run.new_record(
            kind=self.kind,
            data=b"",
            file_name=kwargs.get("file_name") or "admin import",
            user=user if getattr(user, "pk", None) else None,
            ask=self.ask,
            options={"source": "admin"},
        )
        # The admin hands over the rows, not the file: the hash is of the rows as CSV.
        record.sha256 = run.sha256(dataset.export("csv").encode("utf-8"))
        record.headers = table.headers
        record.mapping = guess_mapping(table.headers, self.kind)
        outcome = run.commit(record, user=record.created_by, table=table, progress=False)
        if raise_errors and outcome.errors:
            raise ValidationError([e.reason for e in outcome.errors])
        return self._result(table, outcome.errors if not outcome.committed else [], outcome.counts)

    def _result(self, table, errors, counts):
        result = Result()
        result.diff_headers = list(table.headers)
        result.add_dataset_headers(list(table.headers))
        result.total_rows = counts["rows"]
        by_row = {row.number: row for row in table.rows}
        for error in errors:
            row = by_row.get(error.row)
            values = dict(zip(table.headers, row.cells, strict=False)) if row else {}
            column = error.column if error.column in table.headers else "__all__"
            result.append_invalid_row(error.row, values, ValidationError({column: error.reason}))
        for outcome, import_type in _IMPORT_TYPES.items():
            for _ in range(counts.get(outcome, 0)):
                row_result = RowResult()
                row_result.import_type = import_type
                result.append_row_result(row_result)
                result.increment_row_result_total(row_result)
        result.totals[RowResult.IMPORT_TYPE_INVALID] = counts.get("invalid", 0)
        return result


class ContactImportResource(PlannedImportResource):
    kind = "contacts"
    organisation = fields.Field(column_name="Organisation", attribute="organisation")

    class Meta:
        model = Contact
        name = "Contacts with their organisation"
        import_id_fields = ["email"]
        fields = (
            "email",
            "first_name",
            "last_name",
            "phone",
            "country",
            "preferred_language",
            "expertise",
            "notes",
            "organisation",
        )


class OrganisationImportResource(PlannedImportResource):
    kind = "organisations"

    class Meta:
        model = Organisation
        name = "Organisations"
        import_id_fields = ["name"]
        fields = ("name", "acronym", "kind", "country", "city", "website", "email", "notes")
