"""Large exports written by the task worker: their page (progress, then the download),
the signed-in person's list of them, a retry when one failed, and early deletion.
Each person sees only the exports they asked for, and downloads them only while they
still hold the export permission."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseGone
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django_htmx.http import HttpResponseClientRefresh

from crm import exporting
from crm.models import ExportFile
from crm.permissions import StaffRequiredMixin


class _ExportMixin(StaffRequiredMixin):
    permission_required = (exporting.PERMISSION,)

    def get_export(self):
        # Someone else's export is a 404: its existence is not theirs to know.
        return get_object_or_404(ExportFile.objects.of(self.request.user), pk=self.kwargs["pk"])


class ExportListView(_ExportMixin, View):
    def get(self, request):
        exporting.export_files_delete_expired()
        exports = ExportFile.objects.of(request.user).select_related("ask").defer("content")
        return render(
            request,
            "crm/export_list.html",
            {
                "exports": exports,
                "threshold": settings.EXPORT_IN_BACKGROUND_AFTER,
                "keep_hours": settings.EXPORT_FILES_KEEP_HOURS,
            },
        )


class ExportDetailView(_ExportMixin, View):
    def get(self, request, pk):
        export = self.get_export()
        return render(request, "crm/export_detail.html", {"export": export})


class ExportProgressView(_ExportMixin, View):
    """Polled by htmx while the worker writes; reloads the page when it is done."""

    def get(self, request, pk):
        export = self.get_export()
        if export.finished:
            return HttpResponseClientRefresh()
        return render(request, "crm/export_detail.html#progress", {"export": export})


class ExportDownloadView(_ExportMixin, View):
    def get(self, request, pk):
        export = self.get_export()
        if export.expires_at <= timezone.now():
            export.delete()
            return HttpResponseGone(
                _("This export has been deleted: it was kept for a limited time. Export again.")
            )
        if export.status != ExportFile.Status.READY:
            return redirect(export)
        return exporting.export_file_download(export=export, user=request.user)


class ExportRetryView(_ExportMixin, View):
    def post(self, request, pk):
        export = self.get_export()
        if export.status == ExportFile.Status.FAILED:
            exporting.export_file_retry(export=export)
            messages.success(request, _("The export is queued again."))
        return redirect(export)


class ExportDeleteView(_ExportMixin, View):
    def post(self, request, pk):
        self.get_export().delete()
        messages.success(request, _("The export file is deleted."))
        return redirect("crm:export-list")
