from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin


class StaffRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Staff pages: sign in first; signed-in people who are not staff get 403."""

    def test_func(self):
        return self.request.user.is_staff
