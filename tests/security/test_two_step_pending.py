"""Attack: sign in with the password only and use the session before giving the code.

Every door treats such a session as signed out (accounts.two_factor.is_signed_in): each
staff page of the URL × role table sends it to the code step, the API (lists, exports,
writes, with the session) answers 401/403 without data, and the admin sends it to the
code too. Before the fix the API answered 200 to the half-signed-in session."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.security.conftest import ROLES
from tests.security.test_access_matrix import API_LISTS, MATRIX, OK

pytestmark = pytest.mark.django_db

STAFF_ROLES = [role for role in ROLES if role]
# The pages that exist for a half-signed-in session, and the ones open to anybody.
OPEN = {"accounts:two-step-code", "accounts:two-step-setup", "logout"}


def half_signed_in(client, user):
    TOTPDevice.objects.create(user=user, name="Phone", confirmed=True)
    client.force_login(user)  # the password step: the code is still owed
    return client


def refused(response):
    """Sent to the code step, or refused without content."""
    if response.status_code in (401, 403):
        return True
    location = response.headers.get("Location", "")
    return response.status_code == 302 and location.startswith(reverse("accounts:two-step-code"))


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_a_session_owing_its_code_is_refused_at_every_staff_url(client, users, objects, role):
    user = users[role]
    half_signed_in(client, user)
    wrong = []
    for name, (method, kwargs, expected, extra) in MATRIX.items():
        if expected[0] == OK or name in OPEN or name.startswith("public:"):
            continue  # public pages: the same for everyone
        url = reverse(name, kwargs=kwargs(objects, user) if kwargs else None)
        if name == "api-report-growth":
            extra = {"ask": objects["ask"].slug}
        response = getattr(client, method)(url, extra or {})
        if not refused(response):
            wrong.append(f"{method.upper()} {name}: {response.status_code}")
    assert wrong == []


@pytest.mark.parametrize("role", STAFF_ROLES)
def test_the_api_with_a_session_owing_its_code_lists_exports_and_writes_nothing(
    client, users, objects, role
):
    half_signed_in(client, users[role])

    lists = [client.get(reverse(name)) for name in API_LISTS]
    export = client.get(reverse("contact-export"), {"file_format": "csv"})
    write = client.post(
        reverse("organisation-list"),
        {"name": "Half-signed-in Org"},
        content_type="application/json",
    )

    assert {r.status_code for r in [*lists, export, write]} <= {401, 403}
    assert all(b"results" not in r.content for r in lists)


def test_the_admin_sends_a_session_owing_its_code_to_the_code(client, users):
    half_signed_in(client, users["admin"])

    response = client.get(reverse("admin:crm_contact_changelist"), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("accounts:two-step-code"))


def test_the_same_session_is_let_in_once_the_code_is_given(client, users):
    user = users["coordinator"]
    half_signed_in(client, user)
    device = TOTPDevice.objects.get(user=user)
    from django_otp.oath import totp

    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    client.post(reverse("accounts:two-step-code"), {"code": code})

    assert client.get(reverse("contact-list")).status_code == 200
