"""Attack: a bot posts the public sign form straight away (or replays or forges the form),
getting past the honeypot and, spread over addresses and e-mails, the rate limits. The
form carries a signed stamp of when its page was served (outreach/challenge.py): too quick,
too old, missing or forged is refused with the form kept filled, and nothing is saved."""

import re
import time

import pytest
from django.core import mail

from outreach import challenge
from outreach.models import Signature
from tests.factories import make_ask
from tests.outreach.public.conftest import sign

pytestmark = pytest.mark.django_db


@pytest.fixture
def ask(db):
    return make_ask(slug="stop-frt", is_published=True)


def test_a_person_who_took_a_few_seconds_signs(client, ask):
    assert sign(client, ask, started=challenge.issue(at=time.time() - 5)).status_code == 302
    assert Signature.objects.count() == 1


@pytest.mark.parametrize(
    ("started", "message"),
    [
        (lambda: challenge.issue(), "very quick"),
        (lambda: challenge.issue(at=time.time() - 2 * 24 * 3600), "open for too long"),
        (lambda: None, "open for too long"),
        (lambda: "1700000000:forged-signature", "open for too long"),
        (lambda: str(int(time.time()) - 60), "open for too long"),
    ],
    ids=["at-once", "two-days-old", "missing", "forged", "unsigned"],
)
def test_a_bot_like_submission_is_refused_with_the_form_kept(client, ask, started, message):
    response = sign(client, ask, started=started(), name="Quick Bot")

    assert response.status_code == 400
    page = response.content.decode()
    assert message in page and 'value="Quick Bot"' in page
    assert re.search(r'name="started" value="[^"]+"', page)  # a fresh stamp to send again
    assert not Signature.objects.exists() and mail.outbox == []


def test_the_page_serves_a_fresh_stamp_each_time(client, ask):
    first = client.get(f"/s/{ask.slug}/en/").content.decode()
    time.sleep(1.1)
    second = client.get(f"/s/{ask.slug}/en/").content.decode()

    def stamp(page):
        return re.search(r'name="started" value="([^"]+)"', page)[1]

    assert stamp(first) != stamp(second)
    assert challenge.problem_with(stamp(first)) in (None, challenge.TOO_FAST)
