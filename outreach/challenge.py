"""A time challenge on the public sign form, needing no third party and no script: each
page carries a signed stamp of when it was served, and a submission is taken only when it
comes at least PUBLIC_SIGN_MIN_SECONDS and at most a day later. A bot that posts the form
at once, replays an old stamp or forges one is refused with the form kept filled (a person
just sends it again), beside the honeypot, the rate limits and the e-mail confirmation."""

import time

from django.conf import settings
from django.core import signing

_SALT = "outreach.challenge.sign-form"
MAX_AGE = 24 * 3600
TOO_FAST, EXPIRED = "too_fast", "expired"


def issue(*, at=None):
    """The stamp a page puts in its sign form (`at`: seconds since the epoch, now)."""
    return signing.Signer(salt=_SALT).sign(str(int(at if at is not None else time.time())))


def problem_with(stamp):
    """None when the submission may be taken; else TOO_FAST or EXPIRED (also for a
    missing or forged stamp)."""
    try:
        served = int(signing.Signer(salt=_SALT).unsign(stamp or ""))
    except (signing.BadSignature, ValueError):
        return EXPIRED
    age = time.time() - served
    if age < settings.PUBLIC_SIGN_MIN_SECONDS:
        return TOO_FAST
    if age > MAX_AGE:
        return EXPIRED
    return None
