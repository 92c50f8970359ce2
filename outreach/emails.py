"""E-mails to people who sign on the public page, in the language they signed in."""

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from outreach import tokens


def send_sign_confirmation(*, signature, email, language, base_url):
    """The double opt-in e-mail: a link to confirm, and one to withdraw at any time.
    `base_url` is the site's address as the signer reached it ('https://host')."""
    with translation.override(language):
        ask = signature.ask
        title, _statement, _language = ask.text_in(language)
        context = {
            "title": title,
            "confirm_url": base_url
            + reverse(
                "public:confirm",
                args=[ask.slug, language, tokens.confirm_token(signature)],
            ),
            "withdraw_url": base_url
            + reverse(
                "public:withdraw",
                args=[ask.slug, language, tokens.withdraw_token(signature)],
            ),
        }
        subject = render_to_string("public/email/confirm_subject.txt", context).strip()
        body = render_to_string("public/email/confirm_body.txt", context)
    send_mail(subject, body, None, [email])
