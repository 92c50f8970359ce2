"""Two-step sign-in (TOTP): set up on the profile page, asked for after the password,
enforced on staff pages and the admin, required for admins when the setting says so."""

import pytest
from axes.models import AccessAttempt
from django.test import override_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import make_user

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("outreach:dashboard")
CODE_PAGE = reverse("accounts:two-step-code")
SETUP = reverse("accounts:two-step-setup")


def _code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def _wrong(device):
    return f"{(int(_code(device)) + 1) % 1_000_000:06d}"


@pytest.fixture
def with_app(staff):
    return TOTPDevice.objects.create(user=staff, name="Phone", confirmed=True)


def _sign_in(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": "pw"})


def test_it_sets_up_an_app_with_a_code_from_it(staff_client, staff):
    page = staff_client.get(SETUP)
    device = TOTPDevice.objects.get(user=staff)
    assert not device.confirmed
    html = page.content.decode()
    assert 'data-testid="two-step-key"' in html and "otpauth://totp/" in html
    assert 'src="data:image/svg+xml' in html  # QR code drawn here, not fetched

    wrong = staff_client.post(SETUP, {"code": _wrong(device)})
    assert wrong.status_code == 400 and "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    device.throttle_reset()

    response = staff_client.post(SETUP, {"code": _code(device)})
    assert response.headers["Location"] == reverse("accounts:profile")
    device.refresh_from_db()
    assert device.confirmed
    profile = staff_client.get(reverse("accounts:profile"))
    assert profile.status_code == 200 and "Turn off two-step sign-in" in profile.content.decode()


def test_without_an_app_the_password_is_enough(client, staff):
    assert _sign_in(client, staff).headers["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200


def test_with_an_app_sign_in_asks_for_the_code(client, staff, with_app):
    response = _sign_in(client, staff)
    assert response.headers["Location"].startswith(CODE_PAGE)
    assert client.get(DASHBOARD).headers["Location"].startswith(CODE_PAGE)
    page = client.get(response.headers["Location"])
    assert "Enter the code from your app" in page.content.decode()

    verified = client.post(CODE_PAGE, {"code": _code(with_app), "next": DASHBOARD})
    assert verified.headers["Location"] == DASHBOARD
    assert client.get(DASHBOARD).status_code == 200


@override_settings(AXES_FAILURE_LIMIT=2)
def test_a_wrong_code_is_refused_and_counts_towards_the_lockout(client, staff, with_app):
    _sign_in(client, staff)

    response = client.post(CODE_PAGE, {"code": _wrong(with_app)})
    assert response.status_code == 400 and "That code is not right" in response.content.decode()
    assert client.get(DASHBOARD).headers["Location"].startswith(CODE_PAGE)
    assert AccessAttempt.objects.get(username=staff.username).failures_since_start == 1

    with_app.throttle_reset()
    locked = client.post(CODE_PAGE, {"code": _wrong(with_app)})
    assert locked.status_code == 429  # locked out and signed out
    assert client.get(DASHBOARD).headers["Location"].startswith(reverse("login"))
    assert _sign_in(client, staff).status_code == 429


def test_staff_pages_and_the_admin_refuse_a_session_without_the_code(client, with_app):
    superuser = make_user("root", role=None, is_superuser=True)
    TOTPDevice.objects.create(user=superuser, name="Phone", confirmed=True)
    client.force_login(with_app.user)
    signatures = reverse("outreach:signature-edit", args=[1])  # a function view
    for url in (DASHBOARD, reverse("accounts:profile"), signatures):
        assert client.get(url).headers["Location"].startswith(CODE_PAGE), url

    client.force_login(superuser)
    admin = client.get(reverse("admin:index"), follow=True)
    assert admin.redirect_chain[-1][0].startswith(CODE_PAGE)


@override_settings(REQUIRE_TWO_FACTOR_FOR_ADMINS=True)
def test_the_setting_makes_admins_set_up_an_app(client):
    admin = make_user("boss", role="admin")
    client.force_login(admin)
    assert client.get(DASHBOARD).headers["Location"] == SETUP
    assert client.get(SETUP).status_code == 200
    assert client.get(reverse("admin:index"), follow=True).redirect_chain[-1][0] == SETUP

    client.force_login(make_user("coordinator"))  # other roles may choose
    assert client.get(DASHBOARD).status_code == 200


def test_turning_off_needs_the_password(staff_client, staff, with_app):
    off = reverse("accounts:two-step-off")
    staff_client.force_login(staff)
    staff_client.post(CODE_PAGE, {"code": _code(with_app)})

    staff_client.post(off, {"password": "wrong"})
    assert TOTPDevice.objects.filter(user=staff).exists()

    assert staff_client.post(off, {"password": "pw"}).headers["Location"] == reverse(
        "accounts:profile"
    )
    assert not TOTPDevice.objects.filter(user=staff).exists()
    assert (
        "Set up two-step sign-in" in staff_client.get(reverse("accounts:profile")).content.decode()
    )
