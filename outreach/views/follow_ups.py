"""My follow-ups: the signed-in staff member's overdue, today's and this week's."""

from django.utils import timezone
from django.views.generic import TemplateView

from crm.permissions import StaffRequiredMixin
from outreach.selectors import my_follow_ups


class MyFollowUpsView(StaffRequiredMixin, TemplateView):
    permission_required = "outreach.view_outreach"
    template_name = "outreach/my_follow_ups.html"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        groups = my_follow_ups(user=self.request.user, today=today)
        return super().get_context_data(
            today=today,
            sections=[
                ("overdue", "Overdue", groups["overdue"]),
                ("today", "Due today", groups["today"]),
                ("this-week", "Later this week", groups["this_week"]),
            ],
            total=sum(len(entries) for entries in groups.values()),
            **kwargs,
        )
