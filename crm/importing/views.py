"""The import wizard: upload → mapping → preview → confirm → result, plus the history of
imports, the records an import wrote, and undo. Long steps run as background tasks; the
pages poll the ImportRecord, so a reload picks up where the import is."""

import csv

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView, ListView, View
from django_htmx.http import HttpResponseClientRefresh

from crm.audit import log_export
from crm.history import record_history
from crm.importing import normalise as clean
from crm.importing import report, run
from crm.importing.forms import ConfirmForm, MappingForm, UploadForm
from crm.importing.mapping import (
    guess_mapping,
    header_set,
    mapping_from_saved,
    match_saved,
)
from crm.importing.normalise import propose_day_first
from crm.importing.reading import FileUnreadable, check_size
from crm.importing.undo import NOT_UNDOABLE, import_undo, undo_plan
from crm.models import ImportRecord, SavedMapping
from crm.permissions import StaffRequiredMixin
from crm.spreadsheets import neutralise_formula
from crm.tasks import import_commit, import_preview, import_read

SAMPLE_ROWS = 3
Status = ImportRecord.Status


class ImportListView(StaffRequiredMixin, ListView):
    permission_required = "crm.view_importrecord"
    template_name = "crm/import_list.html"
    paginate_by = 25

    def get_queryset(self):
        return ImportRecord.objects.select_related("created_by", "ask").defer(
            "data", "table", "errors", "warnings", "created_ids", "headers", "mapping"
        )


class ImportUploadView(StaffRequiredMixin, FormView):
    permission_required = "crm.import_records"
    template_name = "crm/import_upload.html"
    form_class = UploadForm

    def get_initial(self):
        return {"kind": self.request.GET.get("kind", "contacts")}

    def form_valid(self, form):
        """Keep the file and read it in the worker: a large workbook takes longer than a
        request may. With the task run at once (tests, a small setup) an unreadable file
        is refused here, leaving no record; otherwise the import's page says why."""
        run.forget_stale_files()
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.size)
        except FileUnreadable as error:
            form.add_error("file", str(error))
            response = self.form_invalid(form)
            response.status_code = 413
            return response
        sheet = form.cleaned_data["sheet"]
        record = run.new_record(
            kind=form.cleaned_data["kind"],
            data=upload.read(),
            file_name=upload.name,
            user=self.request.user,
            ask=form.cleaned_data["ask"],
            options={"sheet": sheet} if sheet else {},
        )
        record.status = Status.READING
        record.save(update_fields=["status"])
        import_read.enqueue(record.pk)
        record.refresh_from_db(fields=["status", "message"])
        if record.status == Status.FAILED:
            form.add_error("file", record.message)
            record.delete()
            return self.form_invalid(form)
        if record.status == Status.UPLOADED:
            return redirect("imports:mapping", pk=record.pk)
        return redirect(record)


class RecordMixin(StaffRequiredMixin):
    permission_required = "crm.import_records"

    def get_record(self):
        return get_object_or_404(ImportRecord, pk=self.kwargs["pk"])


class ImportMappingView(RecordMixin, FormView):
    template_name = "crm/import_mapping.html"
    form_class = MappingForm

    def dispatch(self, request, *args, **kwargs):
        self.record = self.get_record()
        if self.record.status not in (Status.UPLOADED, Status.PREVIEWED, Status.REFUSED):
            return redirect(self.record)
        if not self.record.has_file:
            messages.warning(request, "The file of this import is no longer kept.")
            return redirect(self.record)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        sheet = request.GET.get("sheet")
        if sheet and sheet != self.record.options.get("sheet"):
            return self._change_sheet(sheet)
        return super().get(request, *args, **kwargs)

    def _change_sheet(self, sheet):
        record = self.record
        if not record.data:
            messages.warning(self.request, "The other sheets of this workbook are no longer kept.")
            return redirect("imports:mapping", pk=record.pk)
        previous = record.options.get("sheet")
        record.options = {**record.options, "sheet": sheet}
        kept = record.table
        record.table = b""  # read the chosen sheet
        try:
            run.load(record)
        except FileUnreadable as error:
            messages.error(self.request, str(error))
            record.options = {**record.options, "sheet": previous}
            record.table = kept
        else:
            record.save()
        return redirect("imports:mapping", pk=record.pk)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "record": self.record}

    @cached_property
    def saved_mappings(self):
        return list(SavedMapping.objects.filter(kind=self.record.kind).most_recent_first())

    @cached_property
    def applied_mapping(self):
        """The saved mapping the columns start from: the one asked for, else on the first
        visit the latest saved for exactly these columns. ?guess=1 goes back to the guess."""
        query = self.request.GET
        if query.get("saved"):
            return next((s for s in self.saved_mappings if str(s.pk) == query["saved"]), None)
        if query.get("guess") or self.record.status != Status.UPLOADED:
            return None
        return match_saved(self.record.headers, self.saved_mappings)[0]

    def get_initial(self):
        record = self.record
        mapping = record.mapping
        if self.applied_mapping:
            mapping = mapping_from_saved(record.headers, self.applied_mapping.columns, record.kind)
        elif self.request.GET.get("guess"):
            mapping = guess_mapping(record.headers, record.kind)
        initial = {f"column_{i}": field for i, field in enumerate(mapping)}
        initial["saved_mapping"] = self.applied_mapping.pk if self.applied_mapping else ""
        initial["policy"] = record.options.get("policy", "fill")
        day_first = record.options.get("day_first", self.proposed_day_first)
        initial["dates"] = "month" if day_first is False else "day"
        initial["signers"] = record.options.get("signers", "auto")
        initial["published_url"] = record.options.get("published_url", "")
        return initial

    @cached_property
    def proposed_day_first(self):
        table = self._table()
        return propose_day_first(cell for row in table.rows for cell in row.cells)

    def _table(self):
        if not hasattr(self, "_read"):
            self._read = run.load(self.record)
        return self._read

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        table = self._table()
        # As the import reads them: a workbook's date cell is a day, not "midnight".
        samples = [[clean.text(cell) for cell in row.cells] for row in table.rows[:SAMPLE_ROWS]]
        form = context["form"]
        context.update(
            record=self.record,
            table=table,
            columns=[
                (field, [row[i] if i < len(row) else "" for row in samples])
                for i, field in enumerate(form.column_fields())
            ],
            saved_mappings=self.saved_mappings,
            applied_mapping=self.applied_mapping,
            offered_mappings=[] if self.applied_mapping else self._offered(),
            proposed_day_first=self.proposed_day_first,
        )
        return context

    def _offered(self):
        """Saved mappings sharing most, not all, of the columns: offered, never applied."""
        if self.request.GET.get("guess"):
            return []
        columns = header_set(self.record.headers)
        return [
            (saved, len(header_set(saved.columns) & columns), len(columns))
            for saved in match_saved(self.record.headers, self.saved_mappings)[1]
        ]

    def form_valid(self, form):
        record = self.record
        record.mapping = form.cleaned_data["mapping"]
        record.options = {
            **record.options,
            "policy": form.cleaned_data["policy"],
            "day_first": form.cleaned_data["dates"] == "day",
        }
        if record.kind == "signatures":
            record.options["signers"] = form.cleaned_data["signers"]
            record.options["published_url"] = form.cleaned_data["published_url"]
        if record.table:
            record.data = b""  # the sheet is chosen: the copy read from it is the one kept
        record.status = Status.PREVIEWING
        record.progress_done, record.progress_total = 0, len(self._table().rows)
        record.save()
        form.note_saved_mapping_used()
        if form.save_mapping(self.request.user):
            messages.success(self.request, "Mapping saved for the next file.")
        import_preview.enqueue(record.pk)
        return redirect(record)


class ImportDetailView(RecordMixin, DetailView):
    """The preview, then the result: what the wizard shows after the mapping."""

    permission_required = "crm.view_importrecord"

    template_name = "crm/import_detail.html"
    context_object_name = "record"

    def get_object(self, queryset=None):
        return self.get_record()

    def get(self, request, *args, **kwargs):
        record = self.get_record()
        if record.status == Status.UPLOADED and request.user.has_perm("crm.import_records"):
            return redirect("imports:mapping", pk=record.pk)  # read: the columns are next
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        record = self.object
        return super().get_context_data(
            confirm_form=ConfirmForm(),
            audit=record_history(record, display=report.HISTORY_DISPLAY, related_names=True),
            errors_shown=[report.problem_sentence(e) for e in record.errors[:200]],
            warnings_shown=[report.problem_sentence(w) for w in record.warnings[:100]],
            options=report.options_in_words(record.options),
            mapping=report.mapping_rows(record),
            **kwargs,
        )


class ImportProgressView(RecordMixin, View):
    """Polled by htmx while a step runs; reloads the page when it is done."""

    permission_required = "crm.view_importrecord"

    def get(self, request, pk):
        record = self.get_record()
        if not record.is_running:
            return HttpResponseClientRefresh()
        return render(request, "crm/import_detail.html#progress", {"record": record})


class ImportConfirmView(RecordMixin, View):
    def post(self, request, pk):
        record = self.get_record()
        if record.status != Status.PREVIEWED or not record.has_file:
            messages.warning(request, "This import cannot be confirmed in its current state.")
            return redirect(record)
        form = ConfirmForm(request.POST)
        form.is_valid()
        record.options = {**record.options, "skip_invalid": form.cleaned_data["skip_invalid"]}
        record.status = Status.COMMITTING
        record.progress_done = 0
        record.save(update_fields=["options", "status", "progress_done"])
        import_commit.enqueue(record.pk)
        return redirect(record)


class ImportErrorsCsvView(RecordMixin, View):
    def get(self, request, pk):
        record = self.get_record()
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="import-{record.pk}-errors.csv"'
        response.write("\ufeff")  # so Excel reads it as UTF-8
        writer = csv.writer(response)
        writer.writerow(["row", "column", "value", "reason"])
        log_export(
            user=request.user,
            what=f"errors of import {record.pk}",
            file_format="csv",
            rows=len(record.errors),
        )
        # The error report is an export too: a cell a spreadsheet would run stays text.
        for error in record.errors:
            writer.writerow(
                [neutralise_formula(error[key]) for key in ("row", "column", "value", "reason")]
            )
        return response


class ImportRecordsView(RecordMixin, DetailView):
    """What an import created and changed."""

    permission_required = "crm.view_importrecord"

    template_name = "crm/import_records.html"
    context_object_name = "record"

    def get_object(self, queryset=None):
        return self.get_record()

    def get_context_data(self, **kwargs):
        changes, changed = report.changed_items(self.object, self.request.GET)
        return super().get_context_data(
            sections=report.created_sections(self.object, self.request.GET),
            changes=changes,
            changed=changed,
            **kwargs,
        )


class ImportUndoView(RecordMixin, DetailView):
    template_name = "crm/import_undo.html"
    context_object_name = "record"

    def get_object(self, queryset=None):
        return self.get_record()

    def get_context_data(self, **kwargs):
        plan = undo_plan(self.object) if self.object.status == Status.COMMITTED else None
        return super().get_context_data(plan=plan, **kwargs)

    def post(self, request, pk):
        record = self.get_record()
        try:
            plan = import_undo(record=record, by=request.user)
        except ValueError:
            messages.error(request, NOT_UNDOABLE)
            return redirect(record)
        counts = plan.counts
        messages.success(
            request,
            f"Import undone: {counts['remove']} record(s) removed, {counts['withdraw']} "
            f"signature(s) withdrawn, {counts['restore']} restored to their earlier values, "
            f"{counts['kept']} kept because they changed or were used since.",
        )
        return redirect(record)
