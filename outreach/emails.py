"""E-mail about an ask: message templates with merge fields, who may receive them, and
sending (one message per recipient, each an activity and a stage advance); and the
confirmation e-mail to people who sign on the public page.

Messages are plain text: no tracking pixels, no rewritten links.
"""

import datetime
import logging
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
from crm.models import ConsentRecord, Contact
from outreach import tokens
from outreach.models import Activity, EmailBatch, MessageTemplate, Outreach, Signature, Stage
from outreach.services import (
    matching_outreach,
    outreach_invite,
    outreach_log_follow_up,
    signature_submit,
)

logger = logging.getLogger(__name__)

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


NOTHING_TO_RETRY = "Only a finished sending that failed, or sent nothing to some, is retried."


@transaction.atomic
def email_batch_retry(*, batch):
    """Queue a failed (or partly failed) batch again, on the same page: it sends to the
    entries it has not sent to yet, each checked again. Raises ValidationError
    (NOTHING_TO_RETRY)."""
    from outreach.tasks import send_email_batch

    batch = EmailBatch.objects.select_for_update().get(pk=batch.pk)
    if not batch.can_retry:
        raise ValidationError(NOTHING_TO_RETRY, code="nothing_to_retry")
    batch.status = EmailBatch.Status.QUEUED
    batch.skipped = batch.failed = 0
    batch.problems = []
    batch.finished_at = None
    batch.save(update_fields=["status", "skipped", "failed", "problems", "finished_at"])
    transaction.on_commit(lambda: send_email_batch.enqueue(batch.pk))
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
    sent_already = set(batch.sent_ids)
    audience = email_audience(
        ask=batch.ask,
        entries=Outreach.objects.filter(
            pk__in=[pk for pk in batch.outreach_ids if pk not in sent_already]
        ),
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
            batch.sent_ids.append(recipient.entry.pk)
        except (ValidationError, OSError) as error:
            batch.failed += 1
            problems.append(f"{recipient.entry.target_name}: {error}")
        batch.save(update_fields=["sent", "failed", "sent_ids"])
    batch.problems = problems
    batch.status = EmailBatch.Status.DONE
    batch.finished_at = timezone.now()
    batch.save(update_fields=["problems", "status", "finished_at"])
    return batch


# E-mails to people who sign on the public page, in the language they signed in ---
#
# They leave the request: the sign-up is recorded there, and its e-mail is queued once
# the sign-up commits (a rolled-back one sends nothing). The task tries a few times with
# a growing pause; a confirmation that still fails is recorded on the signature, where
# staff see it and can send it again.

CONFIRMATION = "confirmation"
ALREADY_SIGNED = "already-signed"
SIGNER_NOTICE = "signer-notice"

NOTHING_TO_CONFIRM = "This signature has no submission waiting for confirmation."
CONFIRMATION_FAILED_NOTE = "The confirmation e-mail to {email} could not be sent: {error}"
CONFIRMATION_RESENT_NOTE = "Confirmation e-mail to {email} queued again."


@transaction.atomic
def signature_submit_and_email(*, ask, sign_on, base_url):
    """The public form's sign-up (`signature_submit`) with its e-mail queued to go once
    it commits (`sign_on_emails_queue`). Raises what `signature_submit` raises."""
    signature = signature_submit(ask=ask, sign_on=sign_on)
    sign_on_emails_queue(signature=signature, language=sign_on.language, base_url=base_url)
    return signature


def sign_on_emails_queue(*, signature, language, base_url):
    """Queue, for when the current transaction commits, the e-mail a public sign-up calls
    for: the confirmation link to the person who submitted it, or (`claimed_by_other`)
    the already-signed message to the submitter and a notice to the organisation's
    signer. Clears an earlier failure. The queue holds ids, not addresses: the address
    is read when sending (an erased person is sent nothing)."""
    if getattr(signature, "claimed_by_other", False):
        _queue(ALREADY_SIGNED, signature.pk, signature.claimed_by_contact_id, language, base_url)
        _queue(SIGNER_NOTICE, signature.pk, signature.contact_id, language, base_url)
        return
    if signature.confirmation_email_error:
        Signature.objects.filter(pk=signature.pk).update(confirmation_email_error="")
        signature.confirmation_email_error = ""
    changes = signature.pending_changes
    _queue(
        CONFIRMATION,
        signature.pk,
        changes.get("contact_id"),
        language,
        base_url,
        changes.get("submitted_at", ""),
    )


def _queue(kind, signature_id, contact_id, language, base_url, submission=""):
    from outreach.tasks import send_sign_on_email

    transaction.on_commit(
        lambda: send_sign_on_email.enqueue(
            kind, signature_id, contact_id, language, base_url, submission=submission
        )
    )


def _superseded(signature, submission):
    """A newer submission of the signature has its own e-mail (and link) on the way."""
    return bool(submission) and signature.pending_changes.get("submitted_at") != submission


@transaction.atomic
def signature_confirmation_resend(*, signature, by, base_url):
    """Staff send the confirmation e-mail of a pending submission again (after it failed):
    the same link, to the person who submitted it, through the same task. A note on the
    timeline says who did it. Raises ValidationError (NOTHING_TO_CONFIRM)."""
    signature = Signature.objects.select_for_update().get(pk=signature.pk)
    contact = _submitter(signature)
    if not (signature.is_live and signature.confirm_nonce and contact and contact.email):
        raise ValidationError(NOTHING_TO_CONFIRM, code="nothing_to_confirm")
    language = signature.pending_changes.get("page_language") or signature.ask.language
    sign_on_emails_queue(signature=signature, language=language, base_url=base_url)
    _signature_note(signature, contact, CONFIRMATION_RESENT_NOTE.format(email=contact.email), by)
    return signature


def _submitter(signature):
    contact_id = signature.pending_changes.get("contact_id")
    return Contact.objects.filter(pk=contact_id).first() if contact_id else None


def _signature_note(signature, contact, summary, by=None):
    Activity.objects.create(
        kind=Activity.Kind.NOTE,
        actor=by,
        outreach=matching_outreach(signature),
        organisation_id=signature.organisation_id,
        contact=contact,
        summary=summary,
    )


def sign_on_email_send(*, kind, signature_id, contact_id, language, base_url, submission=""):
    """Send one sign-on e-mail now (the task's body) to the contact's current address.
    Nothing to send when the signature or the address is gone (purged, erased) or, for a
    confirmation, the signature no longer waits for one or was submitted again since
    (that submission's e-mail goes instead). Raises OSError when the mail server refuses."""
    signature = Signature.objects.select_related("ask", "contact").filter(pk=signature_id).first()
    contact = Contact.objects.filter(pk=contact_id).first() if contact_id else None
    if signature is None or contact is None or not contact.email:
        return False
    if kind == CONFIRMATION:
        if not signature.confirm_nonce or _superseded(signature, submission):
            return False
        send_sign_confirmation(
            signature=signature, email=contact.email, language=language, base_url=base_url
        )
    elif kind == ALREADY_SIGNED:
        send_already_signed(signature=signature, email=contact.email, language=language)
    else:
        send_signer_notice(signature=signature, language=language)
    return True


def sign_on_email_retry_after(attempt):
    """When attempt `attempt + 1` may run, or None when `attempt` was the last."""
    delays = settings.SIGN_ON_EMAIL_RETRY_SECONDS
    if attempt > len(delays):
        return None
    return timezone.now() + datetime.timedelta(seconds=delays[attempt - 1])


def sign_on_email_failed(*, kind, signature_id, error, submission=""):
    """Every attempt failed: a confirmation's failure is kept on the signature and noted
    on the timeline, for staff to see and send again; the other messages are logged."""
    logger.error("Sign-on e-mail %s for signature %s not sent: %s", kind, signature_id, error)
    if kind != CONFIRMATION:
        return
    message = (str(error) or type(error).__name__)[:200]
    with transaction.atomic():
        signature = Signature.objects.select_for_update().filter(pk=signature_id).first()
        if signature is None or _superseded(signature, submission):
            return
        signature.confirmation_email_error = message
        signature.save(update_fields=["confirmation_email_error"])
        contact = _submitter(signature)
        email = contact.email if contact else ""
        summary = CONFIRMATION_FAILED_NOTE.format(email=email, error=message)
        _signature_note(signature, contact, summary)


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
