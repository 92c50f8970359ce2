"""/api/v1/webhooks/: endpoints through the API, for the admin role only."""

import pytest
from rest_framework.test import APIClient

from tests.factories import make_user
from webhooks import services
from webhooks.models import Event, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    client = APIClient()
    client.force_authenticate(make_user("ada", role="admin"))
    return client


def test_an_admin_creates_an_endpoint_and_gets_its_secret_once(api):
    response = api.post(
        "/api/v1/webhooks/",
        {"url": "https://10.2.2.2/in", "events": ["signature.verified"]},
        format="json",
    )

    assert response.status_code == 201, response.json()
    endpoint = WebhookEndpoint.objects.get()
    assert response.json()["secret"] == endpoint.secret
    assert endpoint.created_by.username == "ada"
    listed = api.get("/api/v1/webhooks/").json()["results"]
    assert [row["id"] for row in listed] == [endpoint.pk]
    assert "secret" not in listed[0]
    assert "secret" not in api.get(f"/api/v1/webhooks/{endpoint.pk}/").json()


def test_the_api_refuses_loopback_and_unknown_events(api, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    loopback = api.post(
        "/api/v1/webhooks/",
        {"url": "https://127.0.0.1/", "events": ["contact.erased"]},
        format="json",
    )
    unknown = api.post(
        "/api/v1/webhooks/", {"url": "https://10.0.0.1/", "events": ["everything"]}, format="json"
    )

    assert loopback.status_code == 400 and "url" in loopback.json()
    assert unknown.status_code == 400 and "events" in unknown.json()
    assert not WebhookEndpoint.objects.exists()


def test_an_update_through_the_api_is_checked_again(api, settings):
    endpoint = services.endpoint_create(url="https://10.2.2.2/in", events=[Event.CONTACT_ERASED])
    settings.WEBHOOKS_ALLOW_PRIVATE = False

    response = api.patch(
        f"/api/v1/webhooks/{endpoint.pk}/", {"url": "https://[::1]/"}, format="json"
    )

    assert response.status_code == 400
    endpoint.refresh_from_db()
    assert endpoint.url == "https://10.2.2.2/in"


def test_an_admin_deletes_an_endpoint(api):
    endpoint = services.endpoint_create(url="https://10.2.2.2/in", events=[Event.CONTACT_ERASED])
    assert api.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 204
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("role", ["viewer", "campaigner", "coordinator"])
def test_other_roles_get_403(role, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    endpoint = services.endpoint_create(url="https://10.2.2.2/in", events=[Event.CONTACT_ERASED])
    client = APIClient()
    client.force_authenticate(make_user(role=role))
    body = {"url": "https://10.2.2.3/", "events": ["contact.erased"]}

    assert client.get("/api/v1/webhooks/").status_code == 403
    assert client.get(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 403
    assert client.post("/api/v1/webhooks/", body, format="json").status_code == 403
    assert client.delete(f"/api/v1/webhooks/{endpoint.pk}/").status_code == 403
    assert WebhookEndpoint.objects.count() == 1
