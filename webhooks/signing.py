"""The signature on each delivery, and how a receiver checks it (docs/webhooks.md shows
`verify` for receivers to copy: it needs only the standard library).

X-Coalition-Timestamp: seconds since the epoch, when the delivery was sent.
X-Coalition-Signature: "sha256=" + hex HMAC-SHA256, keyed with the endpoint's secret,
of "<timestamp>.<body>". A replay of an old delivery fails on its timestamp, and an
altered body or timestamp fails on the signature.
"""

import hashlib
import hmac
import time

SIGNATURE_HEADER = "X-Coalition-Signature"
TIMESTAMP_HEADER = "X-Coalition-Timestamp"
TOLERANCE_SECONDS = 5 * 60


def sign(secret, timestamp, body):
    """The header value for `body` (bytes) sent at `timestamp` (int seconds)."""
    message = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def verify(secret, body, signature, timestamp, *, now=None, tolerance=TOLERANCE_SECONDS):
    """Whether a delivery is genuine and fresh: `body` the raw request body (bytes),
    `signature` and `timestamp` the two headers' values (strings)."""
    try:
        sent = int(timestamp)
    except (TypeError, ValueError):
        return False
    now = time.time() if now is None else now
    if abs(now - sent) > tolerance:
        return False  # too old (a replay) or from the future
    return hmac.compare_digest(sign(secret, sent, body), signature or "")
