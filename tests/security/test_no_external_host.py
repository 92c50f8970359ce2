"""No page and no stylesheet refers to any host but the app's own.

Signed in as an admin, the test opens every page of the access matrix, then the links it
finds on them (same app, bounded), and checks every src, href, action, srcset, poster and
inline url() of each page, and every url() and @import of the stylesheets they load
(the app's own included). Only relative or same-host addresses, inline data: and mailto: links pass;
there are no documented exceptions.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from crm.roles import ADMIN
from tests.security.test_access_matrix import MATRIX

pytestmark = pytest.mark.django_db

HOST = "testserver"
MAX_PAGES = 110
ATTRIBUTES = {"src", "href", "action", "formaction", "poster", "data", "srcset", "hx-get"}
CSS_URL = re.compile(r"""url\(\s*(['"]?)(.*?)\1\s*\)|@import\s+(['"])(.*?)\3""", re.I)
# Pages that change something when opened, or that only make sense once: not followed.
NOT_FOLLOWED = ("/sign-out/", "/admin/logout/", "/admin/r/")


class Refs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.refs = []  # (tag, attribute, value)
        self.styles = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if value is None:
                continue
            if name in ATTRIBUTES:
                values = [v.strip().split(" ")[0] for v in value.split(",")]
                values = values if name == "srcset" else [value.strip()]
                self.refs.extend((tag, name, v) for v in values)
            if name == "style":
                self.styles.append(value)
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)


def is_external(url):
    url = url.strip()
    if not url or url.startswith(("#", "mailto:", "data:")):  # data: is inline, no host
        return False
    parts = urlsplit(url)
    if parts.scheme in ("", "http", "https") and parts.netloc in ("", HOST):
        return url.startswith("//") and parts.netloc != HOST
    return True  # another host, or a scheme such as javascript: or tel:


def css_refs(text):
    return [m.group(2) or m.group(4) for m in CSS_URL.finditer(text)]


def test_the_check_tells_external_from_own():
    assert is_external("https://fonts.example.com/a.css")
    assert is_external("//cdn.example.net/x.js")
    assert is_external("javascript:alert(1)")
    assert not is_external("/static/css/app.css")
    assert not is_external("http://testserver/contacts/")
    assert not is_external("mailto:ana@example.org")
    assert not is_external("?page=2")
    assert not is_external("data:image/png;base64,iVBORw0KGgo=")
    assert css_refs("a{background:url('https://x.example/i.png')} @import 'y.css';") == [
        "https://x.example/i.png",
        "y.css",
    ]


def _stylesheet_text(client, url):
    path = urlsplit(url).path
    static = "/static/"
    if path.startswith(static):
        found = finders.find(path[len(static) :])
        if found:
            with open(found, encoding="utf-8") as handle:
                return handle.read()
    response = client.get(path)
    return b"".join(response).decode() if response.status_code == 200 else ""


def test_no_page_or_stylesheet_refers_to_another_host(client, users, objects):
    client.force_login(users[ADMIN])
    queue = []
    for name, (method, kwargs, _expected, _extra) in MATRIX.items():
        if method == "get" and name not in {"api-docs"}:
            queue.append(reverse(name, kwargs=kwargs(objects, users[ADMIN]) if kwargs else None))
    queue.append(reverse("api-docs"))  # Swagger UI: its assets must be local too
    queue.append(reverse("admin:index"))
    seen, stylesheets, problems = set(), set(), []
    while queue and len(seen) < MAX_PAGES:
        url = queue.pop(0)
        if url in seen or url.startswith(NOT_FOLLOWED):
            continue
        seen.add(url)
        response = client.get(url)
        content_type = response.headers.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            continue
        parser = Refs()
        parser.feed(response.content.decode())
        for tag, attribute, value in parser.refs:
            if is_external(value):
                problems.append(f"{url}: <{tag} {attribute}={value!r}>")
                continue
            target = urljoin(url, value)
            parts = urlsplit(target)
            if tag == "link" and parts.path.endswith(".css"):
                stylesheets.add(parts.path)
            elif (
                tag == "a"
                and attribute == "href"
                and not value.startswith("mailto:")
                and parts.netloc in ("", HOST)
                and not parts.path.startswith("/static/")
                and not parts.query
                and parts.path not in seen
            ):
                queue.append(parts.path)
        for style in parser.styles:
            problems.extend(
                f"{url}: style url({ref})" for ref in css_refs(style) if is_external(ref)
            )
    assert "/static/css/app.css" in stylesheets, stylesheets
    for sheet in stylesheets:
        for ref in css_refs(_stylesheet_text(client, sheet)):
            if is_external(ref):
                problems.append(f"{sheet}: url({ref})")
    assert len(seen) > len(MATRIX) // 2
    assert problems == []
