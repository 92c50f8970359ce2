"""The slower per-account limit beside django-axes' lockout.

Axes locks an (account, address) pair after AXES_FAILURE_LIMIT failures, and an address
after as many on any accounts: a stranger's wrong guesses from elsewhere do not lock the
owner out. Guesses spread over many addresses are held here: after
SIGN_IN_ACCOUNT_FAILURE_LIMIT failures on one account within the cool-off time, its
correct password alone no longer signs in — but a correct password followed by a valid
code from its authenticator app always does (the code is proof a guesser lacks)."""

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from accounts import two_factor


def account_failures(username):
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    attempts = AccessAttempt.objects.filter(username=username, attempt_time__gte=since)
    return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0


def password_alone_refused(user):
    """Whether this correct password may not sign in without a code: the account had too
    many failures lately and has no authenticator app to prove the rest."""
    if two_factor.state_for(user) == two_factor.CODE:
        return False
    return account_failures(user.get_username()) >= settings.SIGN_IN_ACCOUNT_FAILURE_LIMIT
