from django.core.management.base import BaseCommand

from webhooks import delivery as deliveries


class Command(BaseCommand):
    help = (
        "Send the webhook deliveries that are due (first attempts and retries). Run it "
        "every few minutes when the task backend cannot schedule retries itself."
    )

    def handle(self, *args, **options):
        sent = 0
        for pk in list(deliveries.due().values_list("pk", flat=True)):
            if deliveries.attempt(pk) is not None:
                sent += 1
        self.stdout.write(f"{sent} webhook deliveries attempted.")
