"""Where a webhook may be sent (against server-side request forgery): https only (http
with DEBUG or WEBHOOKS_ALLOW_HTTP), and never to an address inside the server's own
networks (loopback, private, link-local, …) unless WEBHOOKS_ALLOW_PRIVATE is on.

Checked when an endpoint is saved and again before each delivery, since a name's
addresses may change; the delivery then connects to the very address that was checked.
"""

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

HTTPS_ONLY = "Only https:// addresses are allowed."
NO_HOST = "The address has no host name."
UNRESOLVABLE = "“{host}” cannot be resolved to an address."
PRIVATE_ADDRESS = (
    "“{host}” is an address inside this server's own networks ({address}); webhooks are "
    "not sent there."
)


def _allow_http():
    return settings.DEBUG or getattr(settings, "WEBHOOKS_ALLOW_HTTP", False)


def _allow_private():
    return getattr(settings, "WEBHOOKS_ALLOW_PRIVATE", False)


def is_public(address):
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _addresses(host, port):
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise ValidationError(UNRESOLVABLE.format(host=host), code="unresolvable") from error
    return list(dict.fromkeys(info[4][0] for info in infos))


def check_url(url):
    """The (host, port, address) a webhook to `url` connects to. Raises ValidationError
    (HTTPS_ONLY, NO_HOST, UNRESOLVABLE, PRIVATE_ADDRESS)."""
    parts = urlsplit(url)
    if parts.scheme != "https" and not (parts.scheme == "http" and _allow_http()):
        raise ValidationError(HTTPS_ONLY, code="https_only")
    host = parts.hostname
    if not host:
        raise ValidationError(NO_HOST, code="no_host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = _addresses(host, port)
    if not addresses:
        raise ValidationError(UNRESOLVABLE.format(host=host), code="unresolvable")
    if not _allow_private():
        # Every address the name has: one private one is enough to refuse it.
        for address in addresses:
            if not is_public(address):
                message = PRIVATE_ADDRESS.format(host=host, address=address)
                raise ValidationError(message, code="private_address")
    return host, port, addresses[0]
