"""What happened to signatures and the pipeline, announced by the services after they
change the rows (inside their transaction). Other apps listen (webhooks); this app does
not know who does. Receivers must not change the sender's records."""

from django.dispatch import Signal

# signature: the Signature, as saved
signature_confirmed = Signal()
signature_withdrawn = Signal()
signature_verified = Signal()
# outreach: the Outreach entry; from_stage, to_stage: Stage values; at: when
outreach_stage_changed = Signal()
