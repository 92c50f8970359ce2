"""The board of an ask: a column per stage; cards move by drag or by their buttons."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from crm.permissions import StaffRequiredMixin
from outreach.models import Ask, Outreach, Stage
from outreach.selectors import board_columns
from outreach.services import outreach_change_stage
from outreach.views.common import redirect_back

MOVED = "{name} moved to “{stage}”."


def _board_context(ask, **extra):
    return {
        "ask": ask,
        "columns": board_columns(ask=ask),
        "now": timezone.now(),
        "today": timezone.localdate(),
        **extra,
    }


class AskBoardView(StaffRequiredMixin, TemplateView):
    permission_required = "outreach.view_outreach"
    template_name = "outreach/ask_board.html"

    def get_context_data(self, **kwargs):
        ask = get_object_or_404(Ask.objects.select_related("campaign"), slug=self.kwargs["slug"])
        context = _board_context(ask)
        context["columns_total"] = sum(column.count for column in context["columns"])
        today = context["today"]
        context["overdue_count"] = (
            Outreach.objects.filter(ask=ask)
            .follow_ups_due_by(today)
            .filter(next_follow_up_on__lt=today)
            .count()
        )
        return super().get_context_data(**context, tab="board", **kwargs)


class OutreachMoveView(StaffRequiredMixin, View):
    """POST stage=<stage>: through outreach_change_stage; a refused move says why. htmx
    requests get the board back, updated in place; others a redirect."""

    permission_required = "outreach.change_outreach"

    def post(self, request, pk):
        entry = get_object_or_404(Outreach.objects.select_related("ask__campaign"), pk=pk)
        stage = request.POST.get("stage", "")
        error = notice = ""
        try:
            outreach_change_stage(outreach=entry, stage=stage, by=request.user)
            notice = MOVED.format(name=entry.target_name, stage=Stage(stage).label)
        except ValidationError as refused:
            error = f"{entry.target_name}: {' '.join(refused.messages)}"
        if request.htmx:
            context = _board_context(entry.ask, error=error, notice=notice)
            return render(request, "outreach/ask_board.html#board", context)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, notice)
        return redirect_back(request, entry.ask.get_absolute_url())
