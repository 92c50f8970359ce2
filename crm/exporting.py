"""Exports of contacts, organisations, outreach and signatures as CSV or XLSX.

Every path (the lists, the admin, `manage.py export_records`) filters through the list's
FilterSet, writes through an ExportResource (which neutralises formula-looking cells)
and leaves one line on the "coalition.audit" logger: who, what, which filter, how many
rows — never the rows themselves.
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect
from django.utils import timezone

from crm.audit import log_export
from crm.models import ExportFile

logger = logging.getLogger(__name__)

PERMISSION = "crm.export_records"
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMATS = tuple(MEDIA_TYPES)
FILTERS_INVALID = "The filters are not valid: {errors}"
EXPORT_FAILED = "The export stopped on an unexpected error; try again, or ask an admin."
CHUNK = 1000  # rows written between two progress updates


@dataclass(frozen=True)
class ExportKind:
    name: str
    model: type
    filterset_class: type
    resource_class: type
    per_ask: bool = False


def kinds():
    """The kinds of export, by name (imported late: outreach imports crm). An ask's
    signatures come in this app's layout and in Action Network's and CiviCRM's, to be
    imported there (docs/interop.md)."""
    from crm.filters import ContactFilter, OrganisationFilter
    from crm.models import Contact, Organisation
    from crm.resources import ContactResource, OrganisationResource
    from outreach.filters import OutreachFilter, SignatureFilter
    from outreach.models import Outreach, Signature
    from outreach.resources import (
        OutreachResource,
        SignatureActionNetworkResource,
        SignatureCiviCRMResource,
        SignatureResource,
    )

    return {
        kind.name: kind
        for kind in (
            ExportKind("contacts", Contact, ContactFilter, ContactResource),
            ExportKind("organisations", Organisation, OrganisationFilter, OrganisationResource),
            ExportKind("outreach", Outreach, OutreachFilter, OutreachResource, per_ask=True),
            ExportKind("signatures", Signature, SignatureFilter, SignatureResource, per_ask=True),
            ExportKind(
                "signatures-an",
                Signature,
                SignatureFilter,
                SignatureActionNetworkResource,
                per_ask=True,
            ),
            ExportKind(
                "signatures-civicrm",
                Signature,
                SignatureFilter,
                SignatureCiviCRMResource,
                per_ask=True,
            ),
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
    return _file_content(dataset, file_format), len(dataset)


def _file_content(dataset, file_format):
    if file_format == "csv":
        return ("\ufeff" + dataset.csv).encode("utf-8")
    return dataset.export("xlsx")


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


def export_or_queue(*, kind, rows, file_format, user, filters, ask=None, selected=False):
    """The download of a list page's rows; when they are more than
    EXPORT_IN_BACKGROUND_AFTER, a redirect to the export's page instead, where the worker
    writes the file with progress. `filters` is the list's query string."""
    prefix = f"{ask.slug}-" if ask else ""
    if not selected and rows.count() > settings.EXPORT_IN_BACKGROUND_AFTER:
        export = export_file_queue(
            kind=kind, file_format=file_format, user=user, filters=filters, ask=ask
        )
        return redirect(export)
    return export_response(
        kind=kind,
        rows=rows,
        file_format=file_format,
        user=user,
        query=_audit_filter(ask, filters),
        prefix=prefix,
        selected=selected,
    )


def _audit_filter(ask, filters):
    """The filter as the audit log names it: an ask's lists start with the ask."""
    if ask is None:
        return filters
    return f"ask={ask.slug}&{filters}" if filters else f"ask={ask.slug}"


def export_file_queue(*, kind, file_format, user, filters, ask=None):
    """A new ExportFile, queued for the worker."""
    from crm.tasks import export_build

    export_files_delete_expired()
    now = timezone.now()
    export = ExportFile.objects.create(
        kind=kind,
        file_format=file_format,
        created_by=user,
        ask=ask,
        query=filters,
        file_name=file_name(kind, file_format, f"{ask.slug}-" if ask else ""),
        created_at=now,
        expires_at=now + datetime.timedelta(hours=settings.EXPORT_FILES_KEEP_HOURS),
    )
    export_build.enqueue(export.pk)
    return export


def export_file_retry(*, export):
    """Queue a failed export again."""
    from crm.tasks import export_build

    ExportFile.objects.filter(pk=export.pk).update(
        status=ExportFile.Status.QUEUED, message="", rows_done=0
    )
    export_build.enqueue(export.pk)


def export_file_build(*, export):
    """Write the export's file in chunks, counting rows done as it goes. The filters are
    applied again now, so the file holds the rows as they are when it is written."""
    export_kind = kinds()[export.kind]
    base = export_kind.model.objects.all()
    if export_kind.per_ask:
        base = base.filter(ask=export.ask)
    rows = filtered_rows(export.kind, export.query, queryset=base)
    ids = list(rows.order_by("pk").values_list("pk", flat=True))
    ExportFile.objects.filter(pk=export.pk).update(
        status=ExportFile.Status.RUNNING, rows_total=len(ids), rows_done=0
    )
    resource = export_kind.resource_class()
    dataset = None
    for start in range(0, len(ids), CHUNK):
        chunk = export_kind.model.objects.filter(pk__in=ids[start : start + CHUNK])
        part = resource.export(chunk.order_by("pk"))
        if dataset is None:
            dataset = part
        else:
            dataset.extend(part)
        ExportFile.objects.filter(pk=export.pk).update(rows_done=start + len(part))
    if dataset is None:
        dataset = resource.export(export_kind.model.objects.none())
    ExportFile.objects.filter(pk=export.pk).update(
        status=ExportFile.Status.READY,
        content=_file_content(dataset, export.file_format),
        rows_done=len(ids),
        finished_at=timezone.now(),
    )


def export_file_failed(*, export_id, message=EXPORT_FAILED):
    ExportFile.objects.filter(pk=export_id).update(
        status=ExportFile.Status.FAILED, message=message, finished_at=timezone.now()
    )


def export_file_download(*, export, user):
    """The ready file as an attachment; each download leaves an audit line like any
    export."""
    log_export(
        user=user,
        what=export.kind,
        file_format=export.file_format,
        rows=export.rows_total,
        filter=_audit_filter(export.ask, export.query),
        via="list (written in the background)",
    )
    response = HttpResponse(bytes(export.content), content_type=MEDIA_TYPES[export.file_format])
    response["Content-Disposition"] = f'attachment; filename="{export.file_name}"'
    return response


def export_files_delete_expired(*, now=None):
    """Delete the files past their time: copies of personal data nobody needs now."""
    deleted, _ = ExportFile.objects.expired(now=now).delete()
    return deleted
