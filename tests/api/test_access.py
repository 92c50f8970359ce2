"""Who may call what: every route is closed to anonymous callers; roles decide the rest."""

import pytest
from rest_framework.test import APIClient

from config.api_urls import router
from tests.factories import make_ask, make_contact, make_organisation, make_outreach

pytestmark = pytest.mark.django_db

ROUTES = [prefix for prefix, _, _ in router.registry]


@pytest.mark.parametrize("prefix", ROUTES)
def test_anonymous_callers_get_nothing_from_any_route(prefix):
    entry = make_outreach()
    anonymous = APIClient()

    listing = anonymous.get(f"/api/v1/{prefix}/")
    detail = anonymous.get(f"/api/v1/{prefix}/{entry.pk}/")
    create = anonymous.post(f"/api/v1/{prefix}/", {}, format="json")

    assert listing.status_code == 401
    assert detail.status_code == 401
    assert create.status_code in (401, 405)


def test_a_wrong_token_is_refused():
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get("/api/v1/contacts/").status_code == 401


def test_a_revoked_token_stops_working(api):
    from accounts.services import api_token_revoke

    client = api("viewer")
    assert client.get("/api/v1/contacts/").status_code == 200
    token = client.user.auth_token_set.get()
    api_token_revoke(user=client.user, token_key=token.token_key)
    assert client.get("/api/v1/contacts/").status_code == 401


def test_a_signed_in_staff_session_works_too(client, staff):
    client.force_login(staff)
    assert client.get("/api/v1/contacts/").status_code == 200


# role, method, path template, expected status
ROLE_CASES = [
    ("viewer", "get", "/api/v1/contacts/", 200),
    ("viewer", "post", "/api/v1/contacts/", 403),
    ("campaigner", "post", "/api/v1/contacts/", 201),
    ("campaigner", "delete", "/api/v1/contacts/{contact}/", 403),
    ("coordinator", "delete", "/api/v1/contacts/{contact}/", 403),
    # Nobody deletes a person: they are erased (POST …/erase/), which the admin role may.
    ("admin", "delete", "/api/v1/contacts/{contact}/", 405),
    ("campaigner", "post", "/api/v1/asks/", 403),
    ("coordinator", "post", "/api/v1/asks/", 201),
    ("viewer", "post", "/api/v1/outreach/{outreach}/change-stage/", 403),
    ("campaigner", "post", "/api/v1/outreach/{outreach}/change-stage/", 200),
]


@pytest.mark.parametrize(("role", "method", "path", "expected"), ROLE_CASES)
def test_roles_decide_what_a_token_may_do(api, role, method, path, expected):
    client = api(role)
    campaign = make_ask().campaign
    contact = make_contact(email="someone@example.org")
    entry = make_outreach()
    payloads = {
        "/api/v1/contacts/": {"first_name": "Zoë", "email": "zoe@example.org"},
        "/api/v1/asks/": {"campaign": campaign.pk, "title": "Open letter", "slug": "open-letter"},
        "/api/v1/outreach/{outreach}/change-stage/": {"stage": "invited"},
    }
    url = path.format(contact=contact.pk, outreach=entry.pk)

    response = getattr(client, method)(url, payloads.get(path, {}), format="json")

    assert response.status_code == expected, response.content


def test_someone_without_staff_status_gets_nothing(api):
    client = api("viewer")
    client.user.is_staff = False
    client.user.save()
    assert client.get("/api/v1/organisations/").status_code == 403


def test_list_endpoints_are_paginated_with_a_capped_page_size(api):
    for _ in range(3):
        make_organisation()
    response = api("viewer").get("/api/v1/organisations/?page_size=100000")
    assert response.status_code == 200
    assert response.json()["count"] == 3
    assert {"next", "previous", "results"} <= set(response.json())


def test_the_schema_and_the_docs_are_served_by_the_app_itself(client, staff):
    client.force_login(staff)

    schema = client.get("/api/schema/")
    docs = client.get("/api/docs/")

    assert schema.status_code == 200
    assert b"openapi: 3" in schema.content
    assert b"/api/v1/signatures/{id}/withdraw/" in schema.content
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "https://" not in page and "http://" not in page
    assert "script-src 'self'" in docs["Content-Security-Policy"]
