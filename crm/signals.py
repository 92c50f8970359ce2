"""What happened to contacts, announced by the services inside their transaction.
Other apps listen (webhooks); this app does not know who does."""

from django.dispatch import Signal

# contact_id: the erased contact's primary key (nothing else: the person is gone)
contact_erased = Signal()
