from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin


class StaffRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Staff pages: sign in first; then the person must be staff and hold the view's
    `permission_required` (given through their role, see crm/roles.py). Signed-in people
    who may not see the page get 403."""

    permission_required = ()

    def get_permission_required(self):
        if isinstance(self.permission_required, str):
            return (self.permission_required,)
        return tuple(self.permission_required)

    def test_func(self):
        user = self.request.user
        return user.is_staff and user.has_perms(self.get_permission_required())


def staff_required(view):
    """For function views: sign in first; signed-in people who are not staff get 403."""
    from django.contrib.auth.decorators import login_required, user_passes_test
    from django.core.exceptions import PermissionDenied

    def check(user):
        if not user.is_staff:
            raise PermissionDenied
        return True

    return login_required(user_passes_test(check)(view))
