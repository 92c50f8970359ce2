"""Production settings and the headers every response carries."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_production_settings_pass_the_deployment_checks():
    # Not the browser tests' async switch, which a test worker may have set before.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-production-key-" + "x7Qp9#Lm2$" * 5,
        "ALLOWED_HOSTS": "crm.coalition.example",
        "EMAIL_BACKEND": "smtp",
        "EMAIL_HOST": "smtp.coalition.example",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_staff_pages_are_never_stored(staff_client):
    response = staff_client.get(reverse("outreach:dashboard"))
    assert "no-store" in response["Cache-Control"]


def test_pages_carry_a_content_security_policy_without_unsafe_inline(client):
    policy = client.get(reverse("login"))["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_an_unknown_page_is_a_plain_404_without_details(client, settings):
    settings.DEBUG = False
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Traceback" not in response.content.decode()
