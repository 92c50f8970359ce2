from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin


class StaffRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Staff pages: sign in first; signed-in people who are not staff get 403."""

    def test_func(self):
        return self.request.user.is_staff


def staff_required(view):
    """For function views: sign in first; signed-in people who are not staff get 403."""
    from django.contrib.auth.decorators import login_required, user_passes_test
    from django.core.exceptions import PermissionDenied

    def check(user):
        if not user.is_staff:
            raise PermissionDenied
        return True

    return login_required(user_passes_test(check)(view))
