import re
import time

import pytest
from django.core import mail
from django.core.cache import cache
from django.test import TestCase

from outreach import challenge
from tests.factories import make_ask


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate-limit counters live in the cache, which outlives a test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ask(db):
    return make_ask(
        title="Stop facial recognition surveillance now",
        slug="stop-facial-recognition",
        statement="We call on governments to **ban** biometric mass surveillance.",
        is_published=True,
        target_count=200,
    )


def sign(client, ask, lang="en", **fields):
    """Post the sign form as a person would: from a page served a minute ago."""
    data = {
        "signing_as": "individual",
        "name": "Ana Example",
        "email": "ana@example.org",
        "started": challenge.issue(at=time.time() - 60),
    }
    data.update(fields)
    data = {key: value for key, value in data.items() if value is not None}
    # The e-mail is queued when the sign-up commits; the test's own transaction never
    # does, so run what commit would run (the immediate task backend then sends it).
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"/s/{ask.slug}/{lang}/sign/", data, REMOTE_ADDR="10.0.0.1")


def link_in_last_email(kind="confirm"):
    """The path of the confirm or withdraw link in the last e-mail sent."""
    match = re.search(rf"http://testserver(/s/\S+/{kind}/\S+/)", mail.outbox[-1].body)
    assert match, mail.outbox[-1].body
    return match.group(1)


def sign_and_confirm(client, ask, **fields):
    response = sign(client, ask, **fields)
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post(link_in_last_email())
    assert response.status_code == 200
    return response
