"""The privacy notice shown beside the public sign form. Its version and the text as
shown are stored with each consent to be listed; change the version when the words change."""

from django.utils.translation import gettext as _

PRIVACY_NOTICE_VERSION = "2026-11-1"


def privacy_notice_text():
    """The notice in the active language."""
    return _(
        "We use your name, e-mail address, country and affiliation only to record your "
        "signature on this statement and to contact you about it. Your name is published "
        "only if you tick “List my name publicly”; you can withdraw your signature at any "
        "time with the link in our e-mail. We never share your e-mail address. Staff of "
        "the coalition check organisation signatures before listing them."
    )
