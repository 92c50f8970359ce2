"""Who may open a staff page: signed in, staff, and holding the permissions of the
page's action (given through the person's role, see crm/roles.py).

Class views: `permission_required` for every request; `write_permission_required` in
addition for POST (and other unsafe methods), so a page can be read by a viewer while only
the roles that may change the record can send its form. Function views: `staff_required`
with the same two lists.

Two-step sign-in (accounts/two_factor.py): a signed-in person who still owes the code of
their authenticator app is sent to the code page, and an admin the setting obliges to set
one up is sent to the set-up page, before any of the above.
"""

import functools

from django.contrib.auth.mixins import LoginRequiredMixin, UserPassesTestMixin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied

from accounts import two_factor

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def _as_tuple(perms):
    if not perms:
        return ()
    return (perms,) if isinstance(perms, str) else tuple(perms)


def staff_may(user, method, read=(), write=()):
    """Whether `user` may send a `method` request to a page needing `read` (always) and
    `write` (for unsafe methods) permissions."""
    needed = _as_tuple(read)
    if method not in SAFE_METHODS:
        needed += _as_tuple(write)
    return user.is_active and user.is_staff and user.has_perms(needed)


class StaffRequiredMixin(LoginRequiredMixin, UserPassesTestMixin):
    """Staff pages: sign in first; then the person must be staff and hold the view's
    permissions. Signed-in people who may not see the page get 403."""

    permission_required = ()
    write_permission_required = ()
    # True on the pages that set up two-step sign-in (open to those who must set it up).
    two_factor_enrolment = False

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            response = two_factor.pending_redirect(request, self.two_factor_enrolment)
            if response is not None:
                return response
        return super().dispatch(request, *args, **kwargs)

    def get_permission_required(self):
        return _as_tuple(self.permission_required)

    def get_write_permission_required(self):
        return _as_tuple(self.write_permission_required)

    def test_func(self):
        return staff_may(
            self.request.user,
            self.request.method,
            self.get_permission_required(),
            self.get_write_permission_required(),
        )


def staff_required(view=None, *, perms=(), write_perms=()):
    """For function views: sign in first; signed-in people who are not staff or lack the
    permissions get 403. Use bare (`@staff_required`) or with permissions
    (`@staff_required(perms="app.view_x", write_perms="app.change_x")`)."""

    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            response = two_factor.pending_redirect(request)
            if response is not None:
                return response
            if not staff_may(request.user, request.method, perms, write_perms):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorate(view) if view is not None else decorate
