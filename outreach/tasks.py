"""Background work for outreach, run by the task worker (`manage.py db_worker`)."""

from django.tasks import task


@task
def send_email_batch(batch_id):
    from outreach.emails import email_batch_run

    batch = email_batch_run(batch_id)
    return {"sent": batch.sent, "skipped": batch.skipped, "failed": batch.failed}


@task
def send_sign_on_email(
    kind, signature_id, contact_id, language, base_url, attempt=1, submission=""
):
    """A public sign-up's e-mail (outreach.emails.sign_on_emails_queue). A refused send is
    tried again later, SIGN_ON_EMAIL_RETRY_SECONDS apart (at once on a backend that cannot
    defer, such as the tests' immediate one); after the last attempt it is recorded."""
    from outreach import emails

    try:
        return emails.sign_on_email_send(
            kind=kind,
            signature_id=signature_id,
            contact_id=contact_id,
            language=language,
            base_url=base_url,
            submission=submission,
        )
    except OSError as error:  # SMTP errors are OSErrors
        run_after = emails.sign_on_email_retry_after(attempt)
        if run_after is None:
            emails.sign_on_email_failed(
                kind=kind,
                signature_id=signature_id,
                error=error,
                submission=submission,
            )
            raise
        again = send_sign_on_email
        if again.get_backend().supports_defer:
            again = again.using(run_after=run_after)
        again.enqueue(
            kind,
            signature_id,
            contact_id,
            language,
            base_url,
            attempt=attempt + 1,
            submission=submission,
        )
        return False
