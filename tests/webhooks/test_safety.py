"""Webhooks go to https addresses outside the server's own networks (against SSRF),
checked when an endpoint is saved and again at each delivery."""

import socket
from unittest import mock

import pytest
from django.core.exceptions import ValidationError

from webhooks import safety, services
from webhooks.models import Event

pytestmark = pytest.mark.django_db


def _resolves_to(address):
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    result = [(family, socket.SOCK_STREAM, 6, "", (address, 443))]
    return mock.patch("webhooks.safety.socket.getaddrinfo", return_value=result)


def _refusal(url):
    with pytest.raises(ValidationError) as caught:
        safety.check_url(url)
    return caught.value


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://10.1.2.3/hook",
        "https://192.168.0.10/hook",
        "https://169.254.169.254/latest/meta-data/",
        "https://[::1]/hook",
        "https://[::ffff:127.0.0.1]/hook",
    ],
)
def test_private_loopback_and_link_local_addresses_are_refused(url):
    assert _refusal(url).code == "private_address"


def test_a_name_resolving_to_loopback_is_refused():
    with _resolves_to("127.0.0.1"):
        error = _refusal("https://innocent.example.org/hook")
    assert error.messages == [
        safety.PRIVATE_ADDRESS.format(host="innocent.example.org", address="127.0.0.1")
    ]


def test_a_public_name_is_allowed_and_its_checked_address_returned():
    with _resolves_to("93.184.215.14"):
        assert safety.check_url("https://hooks.example.org/in") == (
            "hooks.example.org",
            443,
            "93.184.215.14",
        )


def test_private_addresses_are_allowed_with_the_setting(settings):
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    assert safety.check_url("https://127.0.0.1/hook")[2] == "127.0.0.1"
    assert safety.check_url("https://10.1.2.3/hook")[2] == "10.1.2.3"
    assert safety.check_url("https://[::1]/hook")[2] == "::1"
    with _resolves_to("127.0.0.1"):
        assert safety.check_url("https://innocent.example.org/hook")[2] == "127.0.0.1"


def test_plain_http_is_refused_without_debug_or_the_setting(settings):
    settings.DEBUG = False
    settings.WEBHOOKS_ALLOW_HTTP = False
    with _resolves_to("93.184.215.14"):
        assert _refusal("http://hooks.example.org/in").code == "https_only"
        settings.WEBHOOKS_ALLOW_HTTP = True
        assert safety.check_url("http://hooks.example.org/in")[1] == 80


def test_other_schemes_are_refused_even_with_http_allowed(settings):
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    assert _refusal("file:///etc/passwd").code == "https_only"
    assert _refusal("gopher://127.0.0.1/").code == "https_only"


def test_an_endpoint_on_a_private_address_is_not_saved():
    with pytest.raises(ValidationError):
        services.endpoint_create(url="https://127.0.0.1/hook", events=[Event.CONTACT_ERASED])
    with pytest.raises(ValidationError):
        services.endpoint_create(url="https://10.0.0.5/hook", events=[Event.CONTACT_ERASED])


def test_a_delivery_is_refused_when_the_name_moved_to_a_private_address(settings):
    from webhooks import delivery as deliveries

    with _resolves_to("93.184.215.14"):
        endpoint = services.endpoint_create(
            url="https://hooks.example.org/in", events=[Event.CONTACT_ERASED]
        )
    (made,) = services.event_emit(event=Event.CONTACT_ERASED, data={})
    with (
        _resolves_to("127.0.0.1"),
        mock.patch("webhooks.transport.post") as post,
    ):
        attempted = deliveries.attempt(made.pk)
    post.assert_not_called()
    assert attempted.endpoint == endpoint
    assert attempted.last_response_code is None
    assert "inside this server's own networks" in attempted.last_error
