"""One HTTP POST to a webhook endpoint, connected to the address that safety.check_url
checked (so a name that changes its address between the check and the connection
cannot send the request elsewhere). Redirects are not followed: a redirect to an inside
address would undo the check. TLS still checks the certificate against the host name."""

import http.client
import socket
import ssl
from urllib.parse import urlsplit

TIMEOUT_SECONDS = 10
USER_AGENT = "CoalitionCRM-Webhooks/1"


def _pinned(address):
    def create_connection(destination, *args, **kwargs):
        return socket.create_connection((address, destination[1]), *args, **kwargs)

    return create_connection


def post(url, *, address, body, headers, timeout=TIMEOUT_SECONDS):
    """POST `body` to `url` through `address`; returns the response's status code.
    Raises OSError (and http.client.HTTPException) when no response comes."""
    parts = urlsplit(url)
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(
            parts.hostname, parts.port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    connection._create_connection = _pinned(address)
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        connection.request(
            "POST",
            path,
            body=body,
            headers={"Content-Type": "application/json", "User-Agent": USER_AGENT, **headers},
        )
        response = connection.getresponse()
        response.read(64 * 1024)  # a receiver's answer is not kept; read a little of it
        return response.status
    finally:
        connection.close()
