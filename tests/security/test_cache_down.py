"""Attack (or accident): Redis unreachable. /health/ answered "ok" while the public page,
the sign form and the API answered 500. The cache is now an optimisation
(config.cache.DegradingRedisCache): pages render and signatures are taken without it, and
/health/ names the cache "degraded" (200: the processes can still serve)."""

import pytest
from django.urls import reverse

from outreach.models import Signature
from tests.factories import make_ask, make_user
from tests.outreach.public.conftest import sign

pytestmark = pytest.mark.django_db

UNREACHABLE = {
    "default": {
        "BACKEND": "config.cache.DegradingRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
        "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
    }
}


@pytest.fixture
def redis_down(settings):
    settings.CACHES = UNREACHABLE
    settings.SIGNATURE_FIGURES_CACHE_SECONDS = 300  # the cached paths, not the bypass
    yield


@pytest.fixture
def ask(db):
    return make_ask(slug="stop-frt", is_published=True, statement="We call for a ban.")


def test_health_names_the_cache_degraded_and_stays_200(client, redis_down):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json()["status"] == "degraded" and response.json()["cache"] == "degraded"


def test_the_public_page_renders_and_takes_a_signature_without_redis(client, ask, redis_down):
    page = client.get(f"/s/{ask.slug}/")
    response = sign(client, ask)

    assert page.status_code == 200 and b"We call for a ban." in page.content
    assert response.status_code == 302
    assert Signature.objects.filter(ask=ask).count() == 1


def test_staff_pages_and_the_api_answer_without_redis(client, ask, redis_down):
    client.force_login(make_user("coord", role="coordinator"))

    assert client.get(reverse("outreach:dashboard")).status_code == 200
    assert client.get("/api/v1/signatures/").status_code == 200
    assert client.get(reverse("outreach:reports")).status_code == 200
