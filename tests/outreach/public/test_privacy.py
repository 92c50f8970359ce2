"""Nothing a signatory did not agree to publish leaves the staff side.

Property: whatever the mix of signatures and their names, the name and e-mail of every
pending, rejected, withdrawn, awaiting-verification or not-public signature appear in
no public page (any language, any filter or sort), export, embed or anonymous response,
while the listed ones do."""

import json
import string

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outreach.models import AskTranslation
from tests.factories import make_ask, make_signature

pytestmark = pytest.mark.django_db

HIDDEN_STATES = [
    {"status": "pending"},
    {"status": "rejected"},
    {"status": "withdrawn"},
    {"status": "confirmed", "public": False},
    {"status": "confirmed", "public": True, "awaiting_verification": True, "organisation": True},
]
STATES = [*HIDDEN_STATES, {"status": "confirmed", "public": True}]

# Letters in several scripts; no characters that HTML or JSON would escape, so a leak
# shows as the plain string.
name_part = st.text(alphabet=string.ascii_letters + "éøçßÅŁ日本語テスト", min_size=3, max_size=12)
signatory = st.tuples(st.sampled_from(range(len(STATES))), st.booleans(), name_part)


def public_responses(client, ask):
    urls = [f"/s/{ask.slug}/", f"/s/{ask.slug}/embed/"]
    urls += [f"/s/{ask.slug}/{lang}/" for lang in ("en", "nl", "fr", "de", "es", "ja")]
    urls += [
        f"/s/{ask.slug}/?sort=-date",
        f"/s/{ask.slug}/?q=a",
        f"/s/{ask.slug}/?kind=individual&country=NL",
        f"/s/{ask.slug}/signatories.csv",
    ]
    texts = []
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        texts.append(response.content.decode("utf-8-sig"))
    data = json.loads(client.get(f"/s/{ask.slug}/signatories.json").content)
    texts.append(json.dumps(data, ensure_ascii=False))
    return "\n".join(texts)


@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(signatories=st.lists(signatory, min_size=1, max_size=6))
def test_no_unlisted_signatory_appears_in_any_public_output(signatories):
    with transaction.atomic():
        ask = make_ask(is_published=True)
        AskTranslation.objects.create(ask=ask, language="nl", title="Titel", statement="Tekst")
        hidden, shown = [], []
        for n, (state_index, as_organisation, name) in enumerate(signatories):
            state = dict(STATES[state_index])
            state.setdefault("organisation", as_organisation)
            full_name = f"Zq{name}{n}Xv"
            email = f"zq{n}-{state_index}@hidden.example"
            signature = make_signature(ask, name=full_name, email=email, country="NL", **state)
            if signature.is_listed:
                shown.append(full_name)
            else:
                hidden.append((full_name, email))

        everything = public_responses(Client(), ask)

        for name, email in hidden:
            assert name not in everything
            assert email not in everything
        for name in shown:
            assert name in everything
        assert "hidden.example" not in everything
        transaction.set_rollback(True)


def test_every_hidden_state_is_covered():
    # The property above draws from all of these; keep the list honest.
    assert {s["status"] for s in HIDDEN_STATES} == {"pending", "rejected", "withdrawn", "confirmed"}
