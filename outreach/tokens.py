"""Links e-mailed to signatories: signed with the secret key, single-use through a nonce
stored on the signature (following a link rotates or clears it), and expiring."""

import secrets

from django.conf import settings
from django.core import signing

CONFIRM_SALT = "outreach.signature.confirm"
WITHDRAW_SALT = "outreach.signature.withdraw"


def new_nonce():
    return secrets.token_urlsafe(24)


def make_token(signature, *, salt, nonce):
    return signing.dumps({"s": signature.pk, "n": nonce}, salt=salt, compress=True)


def read_token(token, *, salt, max_age=None):
    """(signature id, nonce), or None for a token that is forged, damaged or expired."""
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.BadSignature:  # SignatureExpired is a BadSignature too
        return None
    if not isinstance(data, dict) or "s" not in data or "n" not in data:
        return None
    return data["s"], data["n"]


def confirm_token(signature):
    return make_token(signature, salt=CONFIRM_SALT, nonce=signature.confirm_nonce)


def withdraw_token(signature):
    return make_token(signature, salt=WITHDRAW_SALT, nonce=signature.withdraw_nonce)


def read_confirm_token(token):
    return read_token(token, salt=CONFIRM_SALT, max_age=settings.PUBLIC_SIGN_CONFIRM_MAX_AGE)


def read_withdraw_token(token):
    # A signatory may withdraw years later: this link does not expire, and stops
    # working once used (the signature is withdrawn and the nonce cleared).
    return read_token(token, salt=WITHDRAW_SALT)


# "Stop e-mails" links in pipeline messages: they name a contact, never expire and may be
# followed again (withdrawing twice changes nothing), so no nonce is needed.
STOP_EMAILS_SALT = "crm.consent.stop-outreach-emails"


def stop_emails_token(contact):
    return signing.dumps({"c": contact.pk}, salt=STOP_EMAILS_SALT)


def read_stop_emails_token(token):
    """The contact id, or None for a forged or damaged token."""
    try:
        data = signing.loads(token, salt=STOP_EMAILS_SALT)
    except signing.BadSignature:
        return None
    return data.get("c") if isinstance(data, dict) else None
