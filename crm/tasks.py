"""Background work of the crm app: large imports run here, so a page reload (or a
closed tab) does not stop them; the wizard polls the ImportRecord for progress."""

import logging

from django.tasks import task

from crm.importing import run
from crm.importing.reading import FileUnreadable
from crm.models import ImportRecord

logger = logging.getLogger(__name__)


def _run(record_id, step):
    record = ImportRecord.objects.get(pk=record_id)
    try:
        step(record)
    except FileUnreadable as error:
        _failed(record_id, str(error))
    except Exception:
        logger.exception("Import %s failed", record_id)
        _failed(record_id, "The import stopped on an unexpected error; nothing was imported.")
        raise


def _failed(record_id, message):
    ImportRecord.objects.filter(pk=record_id).update(
        status=ImportRecord.Status.FAILED, message=message
    )


@task
def import_read(record_id):
    _run(record_id, run.read)


@task
def import_preview(record_id):
    _run(record_id, run.preview)


@task
def import_commit(record_id):
    _run(record_id, run.commit)


@task
def export_build(export_id):
    from crm import exporting
    from crm.models import ExportFile

    export = ExportFile.objects.filter(pk=export_id).first()
    if export is None:  # deleted (expired, or by its owner) before the worker came
        return
    try:
        exporting.export_file_build(export=export)
    except Exception:
        logger.exception("Export %s failed", export_id)
        exporting.export_file_failed(export_id=export_id)
        raise
