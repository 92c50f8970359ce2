"""E-mail about an ask: message templates with merge fields, who may receive them, and
sending (one message per recipient, each an activity and a stage advance); and the
confirmation e-mail to people who sign on the public page.

Messages are plain text: no tracking pixels, no rewritten links.
"""

import re
from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from crm.languages import base_language
from crm.models import ConsentRecord
from outreach import tokens
from outreach.models import Activity, EmailBatch, MessageTemplate, Outreach, Stage
from outreach.services import outreach_invite, outreach_log_follow_up

Purpose = MessageTemplate.Purpose

MERGE_FIELDS = {
    "contact_name": "the contact person's name",
    "organisation": "the organisation's name (empty for individuals)",
    "ask_title": "the ask's title, in the message's language when translated",
    "sign_link": "the address of the ask's public signing page",
}
_FIELD = re.compile(r"\{\{\s*([A-Za-z_]+)\s*\}\}")
UNKNOWN_FIELD = "Unknown merge field {{{{ {name} }}}}; use one of: {known}."

# Why an entry gets no message; shown (with counts) before anything is sent.
NO_CONTACT = "no contact person"
NO_EMAIL = "contact has no e-mail address"
DO_NOT_CONTACT = "contact is marked do-not-contact"
CONSENT_WITHDRAWN = "contact withdrew consent to outreach e-mails"
WRONG_STAGE = "entry is not at a stage for this message"
REMINDERS_USED_UP = "every reminder the ask's cadence allows has been sent"
NO_TEMPLATE = "no message in the contact's language, the ask's or the site's"

STOP_EMAILS_FOOTER = "To receive no more e-mails about our statements: {link}"

# Which entries each purpose is for.
PURPOSE_STAGES = {
    Purpose.INVITATION: {Stage.PROSPECT, Stage.INVITED},
    Purpose.REMINDER: {Stage.INVITED, Stage.FOLLOWED_UP, Stage.NO_RESPONSE},
    Purpose.THANK_YOU: {Stage.SIGNED},
}


def check_merge_fields(text):
    """Raise ValidationError naming each merge field that does not exist."""
    unknown = sorted({name for name in _FIELD.findall(text or "") if name not in MERGE_FIELDS})
    if unknown:
        known = ", ".join(f"{{{{ {name} }}}}" for name in MERGE_FIELDS)
        raise ValidationError([UNKNOWN_FIELD.format(name=name, known=known) for name in unknown])


def fill(text, values):
    return _FIELD.sub(lambda match: values.get(match.group(1), match.group(0)), text)


def _outreach_consent_withdrawn_at():
    """When the contact's latest outreach consent was withdrawn (NULL: not withdrawn, or
    no record). A consent given again after a withdrawal is a newer, active record."""
    return Subquery(
        ConsentRecord.objects.filter(
            contact=OuterRef("contact_id"), purpose=ConsentRecord.Purpose.OUTREACH
        )
        .order_by("-given_at", "-pk")
        .values("withdrawn_at")[:1]
    )


@dataclass
class Recipient:
    entry: Outreach
    template: MessageTemplate

    @property
    def contact(self):
        return self.entry.contact


@dataclass
class Audience:
    purpose: str
    recipients: list = field(default_factory=list)
    excluded: dict = field(default_factory=dict)  # reason -> [entries]

    @property
    def excluded_count(self):
        return sum(len(entries) for entries in self.excluded.values())


def _language_chain(contact, ask):
    # 'pt-BR' falls back to 'pt' before the ask's language.
    tag = contact.preferred_language or ""
    chain = [tag, base_language(tag), ask.language, settings.LANGUAGE_CODE]
    return [language for language in dict.fromkeys(chain) if language]


def pick_template(templates, contact, ask):
    """The message in the contact's language, else the ask's, else the site's."""
    for language in _language_chain(contact, ask):
        if language in templates:
            return templates[language]
    return None


def _why_not(entry, purpose, templates):
    contact = entry.contact
    if contact is None:
        return NO_CONTACT, None
    if not contact.email:
        return NO_EMAIL, None
    if contact.do_not_contact:
        return DO_NOT_CONTACT, None
    if entry.consent_withdrawn_at is not None:
        return CONSENT_WITHDRAWN, None
    if entry.stage not in PURPOSE_STAGES[purpose]:
        return WRONG_STAGE, None
    if purpose == Purpose.REMINDER and entry.follow_up_count >= entry.ask.max_reminders:
        return REMINDERS_USED_UP, None
    template = pick_template(templates, contact, entry.ask)
    if template is None:
        return NO_TEMPLATE, None
    return None, template


def email_audience(*, ask, entries, purpose):
    """Split `entries` (a queryset of the ask's outreach) into who gets the `purpose`
    message, in which language, and who does not and why. A fixed number of queries."""
    rows = (
        entries.filter(ask=ask)
        .select_related("ask", "contact", "organisation")
        .annotate(consent_withdrawn_at=_outreach_consent_withdrawn_at())
        .order_by("pk")
    )
    templates = {t.language: t for t in ask.message_templates.filter(purpose=purpose)}
    audience = Audience(purpose=purpose)
    for entry in rows:
        reason, template = _why_not(entry, purpose, templates)
        if reason:
            audience.excluded.setdefault(reason, []).append(entry)
        else:
            audience.recipients.append(Recipient(entry=entry, template=template))
    return audience


def render_message(*, entry, template, base_url=""):
    """(subject, body) of `template` for `entry`, merge fields filled in."""
    ask = entry.ask
    translated = {t.language: t for t in ask.translations.all()}.get(template.language)
    contact = entry.contact
    values = {
        "contact_name": (contact.full_name or contact.email or "") if contact else "",
        "organisation": str(entry.organisation) if entry.organisation_id else "",
        "ask_title": translated.title if translated else ask.title,
        "sign_link": base_url.rstrip("/") + ask.sign_path,
    }
    body = fill(template.body, values)
    if contact is not None:
        # Stopping must be as easy as it was for us to write: a link in every message.
        link = base_url.rstrip("/") + reverse(
            "public:stop-emails", args=[tokens.stop_emails_token(contact)]
        )
        body = f"{body.rstrip()}\n\n-- \n{STOP_EMAILS_FOOTER.format(link=link)}\n"
    return fill(template.subject, values), body


@transaction.atomic
def email_send(*, entry, template, purpose, by=None, base_url=""):
    """Send one message and record it: an invitation moves the entry to invited (first
    follow-up date set), a reminder to followed up (cadence advanced), a thank-you is a
    note on the timeline. If sending fails, nothing is recorded."""
    subject, body = render_message(entry=entry, template=template, base_url=base_url)
    summary = f"E-mail “{subject}” to {entry.contact.email} [{template.language}]"
    if purpose == Purpose.INVITATION:
        outreach_invite(outreach=entry, by=by, summary=summary)
    elif purpose == Purpose.REMINDER:
        outreach_log_follow_up(outreach=entry, by=by, summary=summary)
    else:
        Activity.objects.create(
            kind=Activity.Kind.NOTE,
            actor=by,
            outreach=entry,
            organisation_id=entry.organisation_id,
            contact_id=entry.contact_id,
            summary=summary,
        )
    EmailMessage(subject=subject, body=body, to=[entry.contact.email]).send()
    return subject


def email_batch_start(*, ask, purpose, entries, by=None, base_url=""):
    """Queue the `purpose` message for the entries that may receive it and return the
    EmailBatch whose counters show progress. The excluded ones are never queued."""
    from outreach.tasks import send_email_batch

    audience = email_audience(ask=ask, entries=entries, purpose=purpose)
    batch = EmailBatch.objects.create(
        ask=ask,
        purpose=purpose,
        created_by=by,
        base_url=base_url,
        outreach_ids=[r.entry.pk for r in audience.recipients],
        total=len(audience.recipients),
    )
    send_email_batch.enqueue(batch.pk)
    batch.refresh_from_db()
    return batch


def email_batch_run(batch_id):
    """Send a batch's messages one by one, counting as it goes. Each recipient is checked
    again at sending time (do-not-contact or a withdrawn consent since queuing → skipped).
    An unexpected error marks the batch failed (so its page stops waiting) and is raised."""
    batch = EmailBatch.objects.select_related("ask", "created_by").get(pk=batch_id)
    if batch.is_finished:
        return batch
    try:
        return _send_batch(batch)
    except Exception as error:
        EmailBatch.objects.filter(pk=batch.pk).update(
            status=EmailBatch.Status.FAILED,
            finished_at=timezone.now(),
            problems=[*batch.problems, f"Stopped: {error}"],
        )
        raise


def _send_batch(batch):
    EmailBatch.objects.filter(pk=batch.pk).update(status=EmailBatch.Status.SENDING)
    audience = email_audience(
        ask=batch.ask,
        entries=Outreach.objects.filter(pk__in=batch.outreach_ids),
        purpose=batch.purpose,
    )
    problems = [
        f"{entry.target_name}: {reason}"
        for reason, entries in audience.excluded.items()
        for entry in entries
    ]
    batch.skipped = len(problems)
    batch.save(update_fields=["skipped"])
    for recipient in audience.recipients:
        try:
            email_send(
                entry=recipient.entry,
                template=recipient.template,
                purpose=batch.purpose,
                by=batch.created_by,
                base_url=batch.base_url,
            )
            batch.sent += 1
        except (ValidationError, OSError) as error:
            batch.failed += 1
            problems.append(f"{recipient.entry.target_name}: {error}")
        batch.save(update_fields=["sent", "failed"])
    batch.problems = problems
    batch.status = EmailBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.save(update_fields=["problems", "status", "finished_at"])
    return batch


# E-mails to people who sign on the public page, in the language they signed in ---


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


def send_already_signed(*, signature, email, language):
    """To someone who submitted the form for an organisation that has signed already:
    no link (the signature is not theirs to confirm, change or withdraw)."""
    with translation.override(language):
        title, _statement, _language = signature.ask.text_in(language)
        context = {"title": title, "organisation": signature.organisation}
        subject = render_to_string("public/email/already_signed_subject.txt", context).strip()
        body = render_to_string("public/email/already_signed_body.txt", context)
    send_mail(subject, body, None, [email])


def send_signer_notice(*, signature, language):
    """To the person who signed for the organisation: someone else used the form for it,
    and nothing changed. Nobody to tell when staff recorded it without a person."""
    signer = signature.contact
    if signer is None or not signer.email:
        return
    with translation.override(signature.language or language):
        title, _statement, _language = signature.ask.text_in(signature.language or language)
        context = {"title": title, "organisation": signature.organisation}
        subject = render_to_string("public/email/signer_notice_subject.txt", context).strip()
        body = render_to_string("public/email/signer_notice_body.txt", context)
    send_mail(subject, body, None, [signer.email])
