"""The webhook pages, for the admin role: endpoints listed, added, edited and deleted
(after a confirmation), their deliveries with a "send again" button."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from webhooks import services
from webhooks.models import Event, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    client.force_login(make_user("ada", role="admin"))
    return client


@pytest.fixture
def hook(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    return services.endpoint_create(url="https://10.1.1.1/in", events=[Event.CONTACT_ERASED])


def test_an_admin_adds_an_endpoint_and_sees_its_secret(admin_client):
    response = admin_client.post(
        reverse("webhooks:endpoint-create"),
        {"url": "https://10.1.1.1/in", "events": ["signature.confirmed", "contact.erased"]},
        follow=True,
    )

    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.events == ["signature.confirmed", "contact.erased"]
    assert endpoint.created_by.username == "ada"
    assert endpoint.history.get().history_user.username == "ada"
    assert endpoint.secret in response.content.decode()


def test_an_endpoint_on_loopback_is_refused_with_the_reason(admin_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    response = admin_client.post(
        reverse("webhooks:endpoint-create"),
        {"url": "https://127.0.0.1/in", "events": ["contact.erased"]},
    )

    assert response.status_code == 200
    assert "inside this server" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_an_admin_edits_an_endpoint(admin_client, hook):
    admin_client.post(
        reverse("webhooks:endpoint-update", args=[hook.pk]),
        {"url": "https://10.1.1.2/in", "events": ["signature.withdrawn"], "description": "CRM"},
    )

    hook.refresh_from_db()
    assert (hook.url, hook.events, hook.active, hook.description) == (
        "https://10.1.1.2/in",
        ["signature.withdrawn"],
        False,
        "CRM",
    )


def test_deleting_asks_first_then_deletes(admin_client, hook):
    url = reverse("webhooks:endpoint-delete", args=[hook.pk])
    assert "Delete the endpoint" in admin_client.get(url).content.decode()
    assert WebhookEndpoint.objects.exists()

    admin_client.post(url)

    assert not WebhookEndpoint.objects.exists()


def test_the_endpoint_page_lists_deliveries_and_sends_one_again(admin_client, hook):
    (delivery,) = services.event_emit(event=Event.CONTACT_ERASED, data={})
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status="failed", last_response_code=503, attempts=11
    )

    page = admin_client.get(reverse("webhooks:endpoint-detail", args=[hook.pk])).content.decode()
    assert "Failed" in page and "503" in page and "Send again" in page

    admin_client.post(reverse("webhooks:delivery-send-again", args=[delivery.pk]))
    assert WebhookDelivery.objects.filter(event_id=delivery.event_id).count() == 2


def test_a_new_secret_replaces_the_old(admin_client, hook):
    old = hook.secret
    admin_client.post(reverse("webhooks:endpoint-secret", args=[hook.pk]))
    hook.refresh_from_db()
    assert hook.secret != old
    assert all("secret" not in row for row in hook.history.values())  # never in history


@pytest.mark.parametrize("role", ["viewer", "campaigner", "coordinator"])
def test_other_roles_cannot_send_again_or_see_the_secret(client, hook, role):
    (delivery,) = services.event_emit(event=Event.CONTACT_ERASED, data={})
    client.force_login(make_user(role=role))

    assert client.get(reverse("webhooks:endpoint-detail", args=[hook.pk])).status_code == 403
    send = client.post(reverse("webhooks:delivery-send-again", args=[delivery.pk]))
    assert send.status_code == 403
    assert WebhookDelivery.objects.count() == 1


def test_send_again_needs_a_post_with_the_csrf_token(hook):
    (delivery,) = services.event_emit(event=Event.CONTACT_ERASED, data={})
    client = Client(enforce_csrf_checks=True)
    client.force_login(make_user(role="admin"))
    url = reverse("webhooks:delivery-send-again", args=[delivery.pk])

    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 403  # forged: no token
    assert WebhookDelivery.objects.count() == 1


def test_the_menu_shows_webhooks_to_admins_only(client, admin_client):
    assert 'href="/webhooks/"' in admin_client.get(reverse("outreach:dashboard")).content.decode()
    client.force_login(make_user(role="coordinator"))
    assert 'href="/webhooks/"' not in client.get(reverse("outreach:dashboard")).content.decode()


def test_the_django_admin_checks_the_address_too(admin_client, settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = False
    add = "/admin/webhooks/webhookendpoint/add/"
    assert admin_client.get(add).status_code == 200

    response = admin_client.post(add, {"url": "https://127.0.0.1/", "events": ["contact.erased"]})

    assert response.status_code == 200
    assert "inside this server" in response.content.decode()
    assert not WebhookEndpoint.objects.exists()


def test_deliveries_are_read_only_in_the_django_admin(admin_client, hook):
    (delivery,) = services.event_emit(event=Event.CONTACT_ERASED, data={})
    url = f"/admin/webhooks/webhookdelivery/{delivery.pk}/change/"
    assert admin_client.get(url).status_code == 200
    admin_client.post(url, {"status": "delivered"})
    delivery.refresh_from_db()
    assert delivery.status == "pending"
