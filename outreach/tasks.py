"""Background work for outreach, run by the task worker (`manage.py db_worker`)."""

from django.tasks import task


@task
def send_email_batch(batch_id):
    from outreach.emails import email_batch_run

    batch = email_batch_run(batch_id)
    return {"sent": batch.sent, "skipped": batch.skipped, "failed": batch.failed}
