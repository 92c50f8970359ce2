from unittest import mock

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_it_reports_healthy_without_signing_in(client):
    response = client.get(reverse("health"))

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "queue": "ok", "cache": "ok"}
    assert "no-store" in response["Cache-Control"]


def test_it_answers_503_naming_what_fails(client):
    with mock.patch("config.health._database", side_effect=OSError("connection refused")):
        response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["database"] == "failing"
    assert response.json()["queue"] == "ok"


def test_it_checks_redis_when_the_queue_is_on_redis(client, settings):
    settings.TASKS_BACKEND = "rq"
    with mock.patch("django_rq.get_connection") as redis:
        redis.return_value.ping.side_effect = ConnectionError("no redis")
        response = client.get(reverse("health"))

    assert response.status_code == 503
    assert response.json()["queue"] == "failing"
