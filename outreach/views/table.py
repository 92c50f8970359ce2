"""The table view of an ask's entries: filters, sorting, pagination and bulk actions."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.views import View

from crm import exporting
from crm.listing import FilteredListView
from crm.permissions import StaffRequiredMixin
from outreach.filters import OutreachFilter
from outreach.forms import BulkForm
from outreach.models import Ask, MessageTemplate, Outreach, Stage
from outreach.services import (
    outreach_assign_owner,
    outreach_bulk_change_stage,
    outreach_set_follow_up,
)
from outreach.views.common import redirect_back


class AskTableView(FilteredListView):
    permission_required = "outreach.view_outreach"
    template_name = "outreach/ask_table.html"
    filterset_class = OutreachFilter

    def dispatch(self, request, *args, **kwargs):
        # Sign-in and staff first, so outsiders cannot probe which asks exist.
        if not (request.user.is_authenticated and request.user.is_staff):
            return self.handle_no_permission()
        self.ask = get_object_or_404(Ask.objects.select_related("campaign"), slug=kwargs["slug"])
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        return (
            Outreach.objects.filter(ask=self.ask)
            .select_related("organisation", "contact", "owner")
            .order_by("stage_changed_at", "pk")
        )

    def get(self, request, *args, **kwargs):
        file_format = request.GET.get("export")
        if file_format in exporting.FORMATS:
            return export_list(request, "outreach", self.get_queryset(), file_format, self.ask)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            ask=self.ask,
            tab="table",
            export_query=_without(self.request.GET, "export", "page"),
            bulk_form=BulkForm(ask=self.ask, auto_id="bulk-%s"),
            stages=Stage.choices,
            purposes=MessageTemplate.Purpose.choices,
            **kwargs,
        )


class AskBulkView(StaffRequiredMixin, View):
    """Applies one bulk action to the selected entries, then back to the same table."""

    permission_required = "outreach.change_outreach"

    def post(self, request, slug):
        ask = get_object_or_404(Ask, slug=slug)
        form = BulkForm(request.POST, ask=ask)
        back = reverse("outreach:ask-table", args=[ask.slug])
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    messages.error(request, error)
            return redirect_back(request, back)
        data = form.cleaned_data
        entries = list(data["ids"])
        action = data["action"]
        if action == "email":
            if not request.user.has_perm("outreach.add_emailbatch"):
                raise PermissionDenied
            query = urlencode(
                {"purpose": data["purpose"], "ids": [e.pk for e in entries]}, doseq=True
            )
            return redirect(f"{reverse('outreach:email-compose', args=[ask.slug])}?{query}")
        if action == "stage":
            self._change_stage(request, entries, Stage(data["stage"]))
        elif action == "owner":
            n = outreach_assign_owner(entries=entries, owner=data["owner"], by=request.user)
            who = data["owner"].get_username() if data["owner"] else "no one"
            messages.success(request, f"{n} entr{'y' if n == 1 else 'ies'} assigned to {who}.")
        else:
            n = outreach_set_follow_up(entries=entries, on=data["follow_up_on"], by=request.user)
            messages.success(
                request, f"Follow-up set to {data['follow_up_on']:%d %b %Y} on {n} entries."
            )
        return redirect_back(request, back)

    def _change_stage(self, request, entries, stage):
        result = outreach_bulk_change_stage(entries=entries, stage=stage, by=request.user)
        messages.success(request, result.summary(stage))
        for refusal in result.refusals():
            messages.warning(request, refusal)


def _without(query, *keys):
    query = query.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()


def export_list(request, kind, queryset, file_format, ask):
    """A list page's rows, filtered as on the page, as a CSV or XLSX download."""
    if not request.user.has_perm(exporting.PERMISSION):
        raise PermissionDenied
    query = _without(request.GET, "export", "layout", "page", "per_page")
    try:
        rows = exporting.filtered_rows(kind, query, queryset=queryset)
    except ValidationError as error:
        return HttpResponseBadRequest(" ".join(error.messages), content_type="text/plain")
    return exporting.export_or_queue(
        kind=kind, rows=rows, file_format=file_format, user=request.user, filters=query, ask=ask
    )
