"""Two-step sign-in (TOTP, django-otp): who must give a code, and where to send them.

What a signed-in person still has to do is worked out once, when they sign in, and kept
in their session (`SESSION_KEY`), so staff pages cost no extra query:
- "code": they have a confirmed authenticator app and must give its code;
- "enrol": REQUIRE_TWO_FACTOR_FOR_ADMINS is on, they are an admin (or superuser) and must
  set an app up first;
- "ok": nothing more.
A session verified with a code (`request.user.is_verified()`) is always "ok".
"""

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode
from django_otp import DEVICE_ID_SESSION_KEY, user_has_device

from crm.roles import ADMIN

SESSION_KEY = "two_step"
CODE, ENROL, OK = "code", "enrol", "ok"


def two_factor_required(user):
    """Whether the setting forces this person to use two-step sign-in."""
    if not settings.REQUIRE_TWO_FACTOR_FOR_ADMINS:
        return False
    return user.is_superuser or user.groups.filter(name=ADMIN).exists()


def state_for(user):
    if user_has_device(user, confirmed=True):
        return CODE
    if two_factor_required(user):
        return ENROL
    return OK


def is_verified(user):
    check = getattr(user, "is_verified", None)
    return bool(check and check())


def state_of(request):
    """What the signed-in person of `request` still has to do (see the module doc)."""
    if is_verified(request.user):
        return OK
    state = request.session.get(SESSION_KEY)
    if state is None:  # a session from before this feature: work it out once
        state = request.session[SESSION_KEY] = state_for(request.user)
    return state


def is_signed_in(request):
    """The one rule every door follows (pages, the API's session, the admin, exports): a
    session is signed in only once it owes no step. A password without its code is
    treated as signed out everywhere but the code and set-up pages."""
    return request.user.is_authenticated and state_of(request) == OK


def recompute(request):
    request.session[SESSION_KEY] = state_for(request.user)


def forget_device(request):
    request.session.pop(DEVICE_ID_SESSION_KEY, None)
    request.user.otp_device = None
    recompute(request)


def pending_redirect(request, enrolling=False):
    """The redirect a signed-in person gets instead of a staff page while a step is
    missing, or None. `enrolling` pages (setting an app up) are open to "enrol"."""
    state = state_of(request)
    if state == CODE:
        query = urlencode({"next": request.get_full_path()})
        return redirect(f"{reverse('accounts:two-step-code')}?{query}")
    if state == ENROL and not enrolling:
        return redirect("accounts:two-step-setup")
    return None


def on_user_logged_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = state_for(user)


def guard_admin_site(site):
    """The Django admin follows the same rule as staff pages: a missing step sends the
    person to the code (or set-up) page rather than into the admin."""
    has_permission = site.has_permission
    login = site.login

    def guarded_has_permission(request):
        return is_signed_in(request) and has_permission(request)

    def guarded_login(request, extra_context=None):
        if request.user.is_authenticated:
            response = pending_redirect(request)
            if response is not None:
                return response
            return login(request, extra_context)
        # One sign-in door: the staff page, with its lockouts and the two steps.
        next_url = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('login')}?{urlencode({'next': next_url})}")

    site.has_permission = guarded_has_permission
    site.login = guarded_login
