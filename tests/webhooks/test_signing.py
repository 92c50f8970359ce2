"""The signature a receiver checks (webhooks/signing.py, shown in docs/webhooks.md)."""

import time

from webhooks.signing import sign, verify

SECRET = "s3cret"
BODY = b'{"event":"signature.confirmed"}'


def test_a_signed_body_verifies_with_the_secret():
    now = int(time.time())
    assert verify(SECRET, BODY, sign(SECRET, now, BODY), str(now))


def test_the_signature_is_an_hmac_sha256_of_timestamp_dot_body():
    import hashlib
    import hmac

    expected = hmac.new(b"s3cret", b"1700000000." + BODY, hashlib.sha256).hexdigest()
    assert sign(SECRET, 1700000000, BODY) == f"sha256={expected}"


def test_an_altered_body_fails():
    now = int(time.time())
    signature = sign(SECRET, now, BODY)
    assert not verify(SECRET, BODY.replace(b"confirmed", b"withdrawn"), signature, str(now))


def test_another_secret_fails():
    now = int(time.time())
    assert not verify("other", BODY, sign(SECRET, now, BODY), str(now))


def test_a_replay_older_than_five_minutes_fails():
    then = int(time.time()) - 301
    assert not verify(SECRET, BODY, sign(SECRET, then, BODY), str(then))


def test_a_timestamp_changed_to_look_fresh_fails():
    then, now = int(time.time()) - 3600, int(time.time())
    assert not verify(SECRET, BODY, sign(SECRET, then, BODY), str(now))


def test_missing_headers_fail():
    assert not verify(SECRET, BODY, None, None)
    assert not verify(SECRET, BODY, "sha256=00", "not-a-number")


def test_the_verify_function_in_the_docs_works_as_documented():
    import re
    from pathlib import Path

    from django.conf import settings

    text = (Path(settings.BASE_DIR) / "docs" / "webhooks.md").read_text()
    (code,) = [c for c in re.findall(r"```python\n(.*?)```", text, re.S) if "def verify" in c]
    namespace = {}
    exec(code, namespace)  # noqa: S102 - the documentation's own example
    documented = namespace["verify"]
    now = int(time.time())

    assert documented(SECRET, BODY, sign(SECRET, now, BODY), str(now))
    assert not documented(SECRET, BODY + b" ", sign(SECRET, now, BODY), str(now))
    assert not documented(SECRET, BODY, sign(SECRET, now - 301, BODY), str(now - 301))
