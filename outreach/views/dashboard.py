from django.utils import timezone
from django.views.generic import TemplateView

from crm.permissions import StaffRequiredMixin
from outreach.selectors import dashboard_asks, follow_ups_for


class DashboardView(StaffRequiredMixin, TemplateView):
    template_name = "outreach/dashboard.html"
    permission_required = "outreach.view_ask"

    def get_context_data(self, **kwargs):
        today = timezone.localdate()
        return super().get_context_data(
            today=today,
            asks=dashboard_asks(today=today),
            my_follow_ups=follow_ups_for(user=self.request.user, today=today),
            **kwargs,
        )
