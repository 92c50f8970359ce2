"""Spreadsheet resources (django-import-export) for organisations and contacts."""

from django.core.exceptions import ValidationError
from import_export import fields, resources
from import_export.results import Result, RowResult
from import_export.widgets import ManyToManyWidget

from crm.importing import run
from crm.importing.mapping import guess_mapping
from crm.importing.planning import PLANNERS, Options
from crm.importing.reading import Row, Table
from crm.models import Contact, Organisation, Tag
from crm.spreadsheets import neutralise_formula

# Rows fetched (and their tags and affiliations prefetched) per query while exporting:
# django-import-export pages through the queryset with LIMIT/OFFSET, 100 rows by default.
EXPORT_CHUNK_SIZE = 2000


class ExportResource(resources.ModelResource):
    """The base of every export resource (lists, admin, command line): each exported
    cell goes through neutralise_formula, since names and notes come from partners and
    public forms and must not run as formulas in a spreadsheet. The importer takes the
    quote off again (crm.importing.normalise.text)."""

    def export_field(self, field, instance, **kwargs):
        return neutralise_formula(super().export_field(field, instance, **kwargs))


class OrganisationResource(ExportResource):
    kind = fields.Field(attribute="get_kind_display", column_name="kind")
    country = fields.Field(attribute="country__code", column_name="country")
    tags = fields.Field(
        attribute="tags",
        column_name="tags",
        widget=ManyToManyWidget(Tag, separator="; ", field="name"),
    )
    member_of = fields.Field(
        attribute="member_of",
        column_name="member of",
        widget=ManyToManyWidget(Organisation, separator="; ", field="name"),
    )

    class Meta:
        model = Organisation
        fields = (
            "id",
            "name",
            "acronym",
            "kind",
            "country",
            "city",
            "website",
            "email",
            "tags",
            "member_of",
            "notes",
            "created_at",
        )
        export_order = fields
        chunk_size = EXPORT_CHUNK_SIZE

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("tags", "member_of")


class ContactResource(ExportResource):
    country = fields.Field(attribute="country__code", column_name="country")
    phone = fields.Field(column_name="phone")
    # "organisation": the column the contacts import reads (export -> import round trip).
    organisation = fields.Field(column_name="organisation")
    tags = fields.Field(
        attribute="tags",
        column_name="tags",
        widget=ManyToManyWidget(Tag, separator="; ", field="name"),
    )

    class Meta:
        model = Contact
        fields = (
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "preferred_language",
            "country",
            "organisation",
            "expertise",
            "do_not_contact",
            "tags",
            "notes",
            "created_at",
        )
        export_order = fields
        chunk_size = EXPORT_CHUNK_SIZE

    def filter_export(self, queryset, **kwargs):
        return queryset.prefetch_related("tags", "affiliations__organisation")

    def dehydrate_phone(self, contact):
        return str(contact.phone) if contact.phone else ""

    def dehydrate_organisation(self, contact):
        # Uses the prefetched affiliations: one query for the whole export.
        primary = [a for a in contact.affiliations.all() if a.is_primary]
        return primary[0].organisation.name if primary else ""


# Import resources (the admin's Import button) -------------------------------------

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
