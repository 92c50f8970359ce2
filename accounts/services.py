"""API tokens: created and revoked by their owner on the profile page."""

import datetime

from django.db.models import Q
from django.utils import timezone

from accounts.models import ApiToken

# How long a new token may live, as offered on the profile page (days).
TOKEN_LIFETIMES = {30: "30 days", 90: "90 days", 365: "one year"}


def api_token_create(*, user, name, lifetime_days=90, double_opt_in=False):
    """Create a token for `user`. Returns (token record, token string): the string is
    shown once and never stored, only its digest. `double_opt_in`: signatures sent
    with it through the OSDI helper wait for the signer's e-mail confirmation when the
    request does not say."""
    if lifetime_days not in TOKEN_LIFETIMES:
        raise ValueError(f"Token lifetime must be one of {sorted(TOKEN_LIFETIMES)} days.")
    return ApiToken.objects.create(
        user=user,
        name=name.strip(),
        expiry=datetime.timedelta(days=lifetime_days),
        double_opt_in=double_opt_in,
    )


def api_token_revoke(*, user, token_key):
    """Revoke `user`'s tokens starting with `token_key`; returns how many were removed."""
    removed, _ = ApiToken.objects.filter(user=user, token_key=token_key).delete()
    return removed


def api_tokens_of(user):
    """The person's tokens that still work, newest first."""
    return ApiToken.objects.filter(user=user).filter(
        Q(expiry__isnull=True) | Q(expiry__gt=timezone.now())
    )
