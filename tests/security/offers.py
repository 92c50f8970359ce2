"""What a page offers: its links, forms and bulk actions, checked against the access
matrix so the pages hide what a role may not do (used by test_access_matrix)."""

from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

from django.urls import Resolver404, resolve

from crm.roles import CAMPAIGNER, VIEWER
from tests.security.conftest import ROLES

EXPORT_ACTIONS = {"export_csv", "export_xlsx"}


class Targets(HTMLParser):
    """Where a page's links and forms lead, and the bulk actions its forms offer."""

    def __init__(self):
        super().__init__()
        self.targets = []  # (kind, url, method)
        self.options = []  # (select name, value)
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.targets.append(("link", attrs["href"], "get"))
        elif tag == "form":
            self.targets.append(("form", attrs.get("action") or "", attrs.get("method", "get")))
        elif tag == "button" and attrs.get("formaction"):
            self.targets.append(("button", attrs["formaction"], "post"))
        elif tag == "select":
            self._select = attrs.get("name")
        elif tag == "option" and self._select == "action":
            self.options.append(attrs.get("value", ""))
        elif tag in {"div", "ol", "ul", "li"} and attrs.get("hx-post"):
            self.targets.append(("htmx", attrs["hx-post"], "post"))

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _refused(role, url, page_url):
    """Why `role` could not follow `url` (found on `page_url`), or None if it may."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or url.startswith(("#", "mailto:")):
        return None
    path = parts.path or urlsplit(page_url).path
    try:
        match = resolve(path)
    except Resolver404:
        return None  # static files and the like: the crawl test looks at those
    name = match.view_name
    from tests.security.test_access_matrix import CAMPAIGNER_WRITE, DENY, EXPORTS, MATRIX

    ui_rows = {"crm:organisation-bulk": CAMPAIGNER_WRITE, "crm:contact-bulk": CAMPAIGNER_WRITE}
    row = MATRIX.get(name)
    if row is None:
        return None  # the admin: sampled in the matrix test
    expected = ui_rows.get(name, row[2])[ROLES.index(role)]
    query = parse_qs(parts.query)
    export = EXPORTS.get(name, {})
    if export and all(query.get(key) == [value] for key, value in export.items()):
        expected = DENY if role in (VIEWER, CAMPAIGNER) else expected
    return name if expected == DENY else None


def offered_but_refused(role, name, url, html):
    """What the page `name` at `url` offers `role` that the matrix refuses it."""
    problems = []
    parser = Targets()
    parser.feed(html)
    for kind, target, _method in parser.targets:
        refused = _refused(role, target, url)
        if refused:
            problems.append(f"{name} shows a {kind} to {refused} ({target})")
    if role in (VIEWER, CAMPAIGNER):
        shown = EXPORT_ACTIONS & set(parser.options)
        if shown:
            problems.append(f"{name} offers {sorted(shown)}")
    if role == VIEWER and {"add_tag", "remove_tag", "add_to_ask"} & set(parser.options):
        problems.append(f"{name} offers bulk changes")
    return problems
