"""Sign-ins and failed sign-ins, one log line each: who and when, never a password."""

import logging

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

logger = logging.getLogger("coalition.signin")


@receiver(user_logged_in, dispatch_uid="signin-log-in")
def _signed_in(sender, request, user, **kwargs):
    logger.info("sign-in", extra={"user_id": user.pk, "username": user.get_username()})


@receiver(user_logged_out, dispatch_uid="signin-log-out")
def _signed_out(sender, request, user, **kwargs):
    if user is not None:
        logger.info("sign-out", extra={"user_id": user.pk, "username": user.get_username()})


@receiver(user_login_failed, dispatch_uid="signin-log-failed")
def _sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django has already masked the password in `credentials`; only the name is logged.
    logger.warning("failed sign-in", extra={"username": credentials.get("username", "")})
