"""Exports of contacts, organisations, outreach and signatures as CSV or XLSX.

Every path (the lists, the admin, `manage.py export_records`) filters through the list's
FilterSet, writes through an ExportResource (which neutralises formula-looking cells)
and leaves one line on the "coalition.audit" logger: who, what, which filter, how many
rows — never the rows themselves.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.utils import timezone

from crm.audit import log_export

PERMISSION = "crm.export_records"
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(MEDIA_TYPES)
FILTERS_INVALID = "The filters are not valid: {errors}"


@dataclass(frozen=True)
class ExportKind:
    name: str
    model: type
    filterset_class: type
    resource_class: type
    per_ask: bool = False


def kinds():
    """The four kinds of export, by name (imported late: outreach imports crm)."""
    from crm.filters import ContactFilter, OrganisationFilter
    from crm.models import Contact, Organisation
    from crm.resources import ContactResource, OrganisationResource
    from outreach.filters import OutreachFilter, SignatureFilter
    from outreach.models import Outreach, Signature
    from outreach.resources import OutreachResource, SignatureResource

    return {
        kind.name: kind
        for kind in (
            ExportKind("contacts", Contact, ContactFilter, ContactResource),
            ExportKind("organisations", Organisation, OrganisationFilter, OrganisationResource),
            ExportKind("outreach", Outreach, OutreachFilter, OutreachResource, per_ask=True),
            ExportKind("signatures", Signature, SignatureFilter, SignatureResource, per_ask=True),
        )
    }


def filtered_rows(kind, query, *, queryset=None):
    """The rows of `kind` the filters in `query` (a QueryDict or a query string) match.
    Raises ValidationError naming the filters that are not valid."""
    export = kinds()[kind]
    if isinstance(query, str):
        query = QueryDict(query)
    if queryset is None:
        queryset = export.model.objects.all()
    filterset = export.filterset_class(query, queryset=queryset)
    if not filterset.is_valid():
        errors = "; ".join(
            f"{field}: {' '.join(messages)}" for field, messages in filterset.errors.items()
        )
        raise ValidationError(FILTERS_INVALID.format(errors=errors))
    return filterset.qs


def render(kind, rows, file_format):
    """(file content as bytes, number of rows). CSV starts with a byte-order mark so
    Excel reads it as UTF-8; the importer skips it."""
    dataset = kinds()[kind].resource_class().export(rows)
    if file_format == "csv":
        content = ("\ufeff" + dataset.csv).encode("utf-8")
    else:
        content = dataset.export("xlsx")
    return content, len(dataset)


def file_name(kind, file_format, prefix=""):
    stamp = timezone.localtime().strftime("%Y-%m-%d")
    return f"{prefix}{kind}-{stamp}.{file_format}"


def export_response(*, kind, rows, file_format, user, query, via="list", prefix="", selected=False):
    """The download of `rows` (already filtered) as an attachment, logged."""
    content, count = render(kind, rows, file_format)
    log_export(
        user=user,
        what=kind,
        file_format=file_format,
        rows=count,
        filter=query,
        via=via,
        selected=selected,
    )
    response = HttpResponse(content, content_type=MEDIA_TYPES[file_format])
    name = file_name(kind, file_format, prefix)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
