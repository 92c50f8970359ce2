"""Every URL pattern and API route × every role: the status each one gets.

The table below holds, per URL name, the method tried and the expected outcome for
(anonymous, viewer, campaigner, coordinator, admin). A URL added to the project without
a row here fails `test_every_url_has_a_row`. The admin (its own permission checks, per
model) is sampled in `test_the_admin_follows_the_roles`.

Every staff page a role may open is also checked for what it offers: no link, form or
bulk action to something the role may not do (tests/security/offers.py).

Outcomes: LOGIN (redirected to the sign-in page), DENY (403), OK (2xx or a redirect
elsewhere than the sign-in), or an exact status code.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from crm.roles import ADMIN, CAMPAIGNER, COORDINATOR, VIEWER
from tests.security.conftest import ROLES
from tests.security.offers import offered_but_refused

pytestmark = pytest.mark.django_db

LOGIN, DENY, OK = "login", 403, "ok"

# Shorthands for the usual rows (anonymous, viewer, campaigner, coordinator, admin).
STAFF_READ = (LOGIN, OK, OK, OK, OK)
CAMPAIGNER_WRITE = (LOGIN, DENY, OK, OK, OK)
COORDINATOR_ONLY = (LOGIN, DENY, DENY, OK, OK)
ADMIN_ONLY = (LOGIN, DENY, DENY, DENY, OK)
EVERYONE = (OK, OK, OK, OK, OK)
API_READ = (401, OK, OK, OK, OK)
API_CAMPAIGNER_WRITE = (401, DENY, 400, 400, 400)
API_COORDINATOR_WRITE = (401, DENY, DENY, 400, 400)
API_EXPORT = (401, DENY, DENY, OK, OK)
API_ADMIN_READ = (401, DENY, DENY, DENY, OK)
API_ADMIN_WRITE = (401, DENY, DENY, DENY, 400)


def _pk(name):
    return lambda objects, user: {"pk": objects[name].pk}


def _slug(objects, user):
    return {"slug": objects["ask"].slug}


def _own_export(objects, user):
    exports = objects["exports"]
    return {"pk": exports.get(getattr(user, "username", None), exports[COORDINATOR]).pk}


def _public(objects, user, **extra):
    return {"slug": objects["ask"].slug, "lang": "en", **extra}


def _petition(objects, user):
    return {"petition_pk": objects["ask"].pk}


def _osdi_signature(objects, user):
    return {"petition_pk": objects["ask"].pk, "pk": objects["signature"].pk}


def _osdi_tagging(objects, user):
    through = objects["tag"].contacts.through
    tagging, _ = through.objects.get_or_create(tag=objects["tag"], contact=objects["contact"])
    return {"tag_pk": objects["tag"].pk, "pk": tagging.pk}


# name: (method, kwargs builder or None, expected per role, extra: query string or data)
MATRIX = {
    "health": ("get", None, EVERYONE, None),
    "login": ("get", None, EVERYONE, None),
    "password-reset": ("get", None, EVERYONE, None),
    "password-reset-done": ("get", None, EVERYONE, None),
    "password-reset-confirm": (
        "get",
        lambda o, u: {"uidb64": "MQ", "token": "x-y"},
        EVERYONE,
        None,
    ),
    "password-reset-complete": ("get", None, EVERYONE, None),
    "logout": ("post", None, (LOGIN,) * 5, None),  # back to the sign-in page
    # Public statement pages: the same for everyone, signed in or not.
    "public:statement": ("get", _slug, EVERYONE, None),
    "public:export-csv": ("get", _slug, EVERYONE, None),
    "public:export-json": ("get", _slug, EVERYONE, None),
    "public:embed": ("get", _slug, EVERYONE, None),
    "public:statement-lang": ("get", _public, EVERYONE, None),
    "public:sign": ("post", _public, (400,) * 5, {}),  # empty form: errors
    "public:thanks": ("get", _public, EVERYONE, None),
    "public:confirm": ("get", lambda o, u: _public(o, u, token="not-a-token"), EVERYONE, None),
    "public:withdraw": ("get", lambda o, u: _public(o, u, token="not-a-token"), EVERYONE, None),
    "public:stop-emails": ("get", lambda o, u: {"token": "not-a-token"}, (404,) * 5, None),
    # The API: reads for every role, writes by the model permissions of the role.
    "api-root": ("get", None, API_READ, None),
    # The schema and its docs describe the API, hold no records, and are public.
    "api-schema": ("get", None, EVERYONE, None),
    "api-docs": ("get", None, EVERYONE, None),
    "api-report-growth": ("get", None, API_READ, {"ask": "ask"}),
    "organisation-list": ("post", None, API_CAMPAIGNER_WRITE, {}),
    "organisation-detail": ("get", _pk("organisation"), API_READ, None),
    "contact-list": ("post", None, API_CAMPAIGNER_WRITE, {}),
    "contact-detail": ("get", _pk("contact"), API_READ, None),
    "affiliation-list": ("post", None, API_CAMPAIGNER_WRITE, {}),
    "affiliation-detail": ("get", _pk("affiliation"), API_READ, None),
    "tag-list": ("post", None, API_CAMPAIGNER_WRITE, {}),
    "tag-detail": ("get", _pk("tag"), API_READ, None),
    "consentrecord-list": ("post", None, API_CAMPAIGNER_WRITE, {}),
    "consentrecord-detail": ("get", _pk("consent"), API_READ, None),
    "campaign-list": ("post", None, API_COORDINATOR_WRITE, {}),
    "campaign-detail": ("get", _pk("campaign"), API_READ, None),
    "ask-list": ("post", None, API_COORDINATOR_WRITE, {}),
    "ask-detail": ("get", _pk("ask"), API_READ, None),
    "ask-targets": ("post", _pk("ask"), (401, DENY, OK, OK, OK), {}),  # adds no one
    "outreach-list": ("get", None, API_READ, None),  # new entries come through targets
    "outreach-detail": ("get", _pk("outreach"), API_READ, None),
    "outreach-change-stage": ("post", _pk("outreach"), API_CAMPAIGNER_WRITE, {}),
    "activity-list": ("post", None, API_CAMPAIGNER_WRITE, {}),
    "activity-detail": ("get", _pk("activity"), API_READ, None),
    "signature-list": ("post", None, API_CAMPAIGNER_WRITE, {}),
    "signature-detail": ("get", _pk("signature"), API_READ, None),
    "signature-withdraw": ("post", _pk("signature"), (401, DENY, OK, OK, OK), {}),
    # The OSDI API (osdi/): the same roles as the REST API. The record signature helper
    # reads JSON only: a form body is a 415 for those who may record signatures.
    "osdi:entry-point": ("get", None, API_READ, None),
    "osdi:people": ("get", None, API_READ, None),
    "osdi:person-detail": ("get", _pk("contact"), API_READ, None),
    "osdi:person-signatures": ("get", _pk("contact"), API_READ, None),
    "osdi:petitions": ("get", None, API_READ, None),
    "osdi:petition-detail": ("get", _pk("ask"), API_READ, None),
    "osdi:petition-signatures": ("post", _petition, (401, DENY, 415, 415, 415), {}),
    "osdi:signature-detail": ("get", _osdi_signature, API_READ, None),
    "osdi:tags": ("get", None, API_READ, None),
    "osdi:tag-detail": ("get", _pk("tag"), API_READ, None),
    "osdi:tag-taggings": ("get", lambda o, u: {"tag_pk": o["tag"].pk}, API_READ, None),
    "osdi:tagging-detail": ("get", _osdi_tagging, API_READ, None),
    "consentrecord-withdraw": ("post", _pk("consent"), (401, DENY, OK, OK, OK), {}),
    # Erasing through the API: data protection, the admin role; a body that cannot be
    # read (400) so the shared contact stays for the other rows.
    "contact-erase": ("post", _pk("contact"), (401, DENY, DENY, DENY, 400), {"suppress": "maybe"}),
    # Webhooks: set up by admins only.
    "webhook-list": ("post", None, API_ADMIN_WRITE, {}),
    "webhook-detail": ("get", _pk("webhook"), API_ADMIN_READ, None),
    # Whole lists as files: exports.
    "contact-export": ("get", None, API_EXPORT, None),
    "organisation-export": ("get", None, API_EXPORT, None),
    "outreach-export": ("get", None, API_EXPORT, None),
    "signature-export": ("get", None, API_EXPORT, None),
    # One's own profile and API tokens: every staff member.
    "accounts:profile": ("get", None, STAFF_READ, None),
    "accounts:token-revoke": ("post", lambda o, u: {"token_key": "nope"}, STAFF_READ, {}),
    "accounts:two-step-setup": ("get", None, STAFF_READ, None),
    "accounts:two-step-off": ("post", None, STAFF_READ, {}),
    "accounts:two-step-code": ("get", None, STAFF_READ, None),
    # Imports: read by every role; run by those who may import.
    "imports:list": ("get", None, STAFF_READ, None),
    "imports:upload": ("get", None, COORDINATOR_ONLY, None),
    "imports:detail": ("get", _pk("import"), STAFF_READ, None),
    "imports:mapping": ("get", _pk("import"), COORDINATOR_ONLY, None),
    "imports:progress": ("get", _pk("import"), STAFF_READ, None),
    "imports:confirm": ("post", _pk("import"), COORDINATOR_ONLY, {}),
    "imports:errors-csv": ("get", _pk("import"), COORDINATOR_ONLY, None),
    "imports:records": ("get", _pk("import"), STAFF_READ, None),
    "imports:undo": ("get", _pk("import"), COORDINATOR_ONLY, None),
    # The staff workspace.
    "crm:organisation-list": ("get", None, STAFF_READ, None),
    "crm:organisation-create": ("get", None, CAMPAIGNER_WRITE, None),
    "crm:organisation-bulk": ("post", None, COORDINATOR_ONLY, {"action": "export_csv"}),
    "crm:organisation-detail": ("get", _pk("organisation"), STAFF_READ, None),
    "crm:organisation-update": ("get", _pk("organisation"), CAMPAIGNER_WRITE, None),
    "crm:organisation-affiliation-create": (
        "get",
        lambda o, u: {"organisation_pk": o["organisation"].pk},
        CAMPAIGNER_WRITE,
        None,
    ),
    "crm:contact-list": ("get", None, STAFF_READ, None),
    "crm:contact-create": ("get", None, CAMPAIGNER_WRITE, None),
    "crm:contact-bulk": ("post", None, COORDINATOR_ONLY, {"action": "export_xlsx"}),
    "crm:contact-duplicates": ("get", None, STAFF_READ, None),
    "crm:contact-detail": ("get", _pk("contact"), STAFF_READ, None),
    "crm:contact-update": ("get", _pk("contact"), CAMPAIGNER_WRITE, None),
    "crm:contact-do-not-contact": ("post", _pk("contact"), CAMPAIGNER_WRITE, {}),
    "crm:contact-affiliation-create": (
        "get",
        lambda o, u: {"contact_pk": o["contact"].pk},
        CAMPAIGNER_WRITE,
        None,
    ),
    "crm:affiliation-update": ("get", _pk("affiliation"), CAMPAIGNER_WRITE, None),
    "crm:saved-view-create": (
        "post",
        lambda o, u: {"list_name": "contacts"},
        CAMPAIGNER_WRITE,
        {"name": "Mine", "query": ""},
    ),
    "crm:saved-view-delete": (
        "get",
        lambda o, u: {"pk": o["saved_views"][getattr(u, "username", VIEWER)].pk},
        CAMPAIGNER_WRITE,
        None,
    ),
    "crm:search": ("get", None, STAFF_READ, {"q": "Ana"}),
    # Large exports: each person's own, with the export permission (coordinators, admins).
    "crm:export-list": ("get", None, COORDINATOR_ONLY, None),
    "crm:export-detail": ("get", _own_export, COORDINATOR_ONLY, None),
    "crm:export-progress": ("get", _own_export, COORDINATOR_ONLY, None),
    "crm:export-download": ("get", _own_export, COORDINATOR_ONLY, None),
    "crm:export-retry": ("post", _own_export, COORDINATOR_ONLY, None),
    "crm:export-delete": ("post", _own_export, COORDINATOR_ONLY, None),
    # Duplicates: found and merged by coordinators and admins (crm.merge_records).
    "crm:duplicate-list": ("get", lambda o, u: {"kind_slug": "contacts"}, COORDINATOR_ONLY, None),
    "crm:duplicate-review": (
        "get",
        lambda o, u: {
            "kind_slug": "contacts",
            "first_id": o["contact"].pk,
            "second_id": o["signature"].contact_id,
        },
        COORDINATOR_ONLY,
        None,
    ),
    # Consent, and the rights of the people in the CRM.
    "crm:consent-create": ("get", _pk("contact"), CAMPAIGNER_WRITE, None),
    "crm:consent-withdraw": ("get", _pk("consent"), CAMPAIGNER_WRITE, None),
    "crm:contact-data-export": ("get", _pk("contact"), ADMIN_ONLY, {"format": "json"}),
    "crm:contact-erase": ("get", _pk("contact"), ADMIN_ONLY, None),
    # Webhooks: endpoints and their deliveries, for admins only.
    "webhooks:endpoint-list": ("get", None, ADMIN_ONLY, None),
    "webhooks:endpoint-create": ("get", None, ADMIN_ONLY, None),
    "webhooks:endpoint-detail": ("get", _pk("webhook"), ADMIN_ONLY, None),
    "webhooks:endpoint-update": ("get", _pk("webhook"), ADMIN_ONLY, None),
    "webhooks:endpoint-delete": ("get", _pk("webhook"), ADMIN_ONLY, None),  # asks first
    "webhooks:endpoint-secret": ("post", _pk("webhook"), ADMIN_ONLY, {}),
    "webhooks:delivery-send-again": ("post", _pk("webhook_delivery"), ADMIN_ONLY, {}),
    # Asks, pipeline, e-mail.
    "outreach:dashboard": ("get", None, STAFF_READ, None),
    "outreach:ask-list": ("get", None, STAFF_READ, None),
    "outreach:ask-create": ("get", None, COORDINATOR_ONLY, None),
    "outreach:ask-board": ("get", _slug, STAFF_READ, None),
    "outreach:ask-table": ("get", _slug, STAFF_READ, None),
    "outreach:ask-bulk": ("post", _slug, CAMPAIGNER_WRITE, {}),
    "outreach:ask-detail": ("get", _slug, STAFF_READ, None),
    "outreach:ask-update": ("get", _slug, COORDINATOR_ONLY, None),
    "outreach:message-template-list": ("get", _slug, STAFF_READ, None),
    "outreach:message-template-create": ("get", _slug, COORDINATOR_ONLY, None),
    "outreach:email-compose": ("get", _slug, COORDINATOR_ONLY, None),
    "outreach:message-template-update": ("get", _pk("message"), COORDINATOR_ONLY, None),
    "outreach:email-batch": ("get", _pk("batch"), STAFF_READ, None),
    "outreach:email-batch-retry": ("post", _pk("batch"), COORDINATOR_ONLY, {}),
    "outreach:campaign-create": ("get", None, COORDINATOR_ONLY, None),
    "outreach:campaign-detail": (
        "get",
        lambda o, u: {"slug": o["campaign"].slug},
        STAFF_READ,
        None,
    ),
    "outreach:campaign-update": (
        "get",
        lambda o, u: {"slug": o["campaign"].slug},
        COORDINATOR_ONLY,
        None,
    ),
    "outreach:outreach-detail": ("get", _pk("outreach"), STAFF_READ, None),
    "outreach:outreach-move": ("post", _pk("outreach"), CAMPAIGNER_WRITE, {}),
    "outreach:outreach-log": ("post", _pk("outreach"), CAMPAIGNER_WRITE, {}),
    "outreach:outreach-follow-up": ("post", _pk("outreach"), CAMPAIGNER_WRITE, {}),
    "outreach:outreach-reminder-sent": ("post", _pk("outreach"), CAMPAIGNER_WRITE, {}),
    "outreach:outreach-invitation-sent": ("post", _pk("outreach"), CAMPAIGNER_WRITE, {}),
    "outreach:outreach-owner": ("post", _pk("outreach"), CAMPAIGNER_WRITE, {}),
    "outreach:outreach-contact": ("post", _pk("outreach"), CAMPAIGNER_WRITE, {}),
    "outreach:my-follow-ups": ("get", None, STAFF_READ, None),
    # Signatures: read by all, changed by campaigners, exported by coordinators.
    "outreach:signature-list": ("get", lambda o, u: {"ask_pk": o["ask"].pk}, STAFF_READ, None),
    "outreach:signature-edit": ("get", _pk("signature"), STAFF_READ, None),
    "outreach:signature-verify": ("post", _pk("signature"), CAMPAIGNER_WRITE, {}),
    "outreach:signature-send-confirmation": ("post", _pk("signature"), CAMPAIGNER_WRITE, {}),
    "outreach:signature-reject": ("get", _pk("signature"), CAMPAIGNER_WRITE, None),
    "outreach:signature-withdraw": ("get", _pk("signature"), CAMPAIGNER_WRITE, None),
    "outreach:snapshot-create": (
        "post",
        lambda o, u: {"ask_pk": o["ask"].pk},
        COORDINATOR_ONLY,
        {},
    ),
    "outreach:snapshot-detail": ("get", _pk("snapshot"), STAFF_READ, None),
    # Reports: read by all; their downloads are exports.
    "outreach:reports": ("get", None, STAFF_READ, None),
    "outreach:report-download": (
        "get",
        lambda o, u: {"dataset": "growth", "fmt": "csv"},
        COORDINATOR_ONLY,
        None,
    ),
    "outreach:report-ask": ("get", _slug, STAFF_READ, None),
    "outreach:report-weekly": ("get", _slug, STAFF_READ, None),
    "outreach:report-ask-download": (
        "get",
        lambda o, u: {"slug": o["ask"].slug, "dataset": "owners", "fmt": "xlsx"},
        COORDINATOR_ONLY,
        None,
    ),
}

# The API's lists, read (the rows above send them a POST); admin-only ones apart.
ADMIN_API_LISTS = [
    name for name, row in MATRIX.items() if name.endswith("-list") and row[2] == API_ADMIN_WRITE
]
API_LISTS = [
    name
    for name in MATRIX
    if name.endswith("-list") and ":" not in name and name not in ADMIN_API_LISTS
]

# Exports reached through a query string on a page every role may read.
EXPORTS = {
    "outreach:signature-list": {"export": "csv"},
    "outreach:snapshot-detail": {"format": "csv"},
}


def url_names():
    """Every named URL of the project, outside the admin (API format suffixes aside)."""

    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace == "admin":
                    continue
                inner = pattern.namespace
                full = ":".join(n for n in [namespace, inner] if n) if inner else namespace
                yield from walk(pattern.url_patterns, full)
            elif isinstance(pattern, URLPattern):
                if "format" in pattern.pattern.regex.groupindex:
                    continue
                if not pattern.name:
                    yield f"(unnamed) {pattern.pattern}"
                    continue
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns))


def test_every_url_has_a_row():
    names = url_names()
    assert names - set(MATRIX) == set(), "URLs without an expected status per role"
    assert set(MATRIX) - names == set(), "rows for URLs that no longer exist"


def _outcome_matches(response, expected):
    to_login = response.headers.get("Location", "").startswith(reverse("login"))
    if expected == LOGIN:
        return response.status_code == 302 and to_login
    if expected == OK:
        return response.status_code < 400 and not to_login
    return response.status_code == expected


def _check(response, expected, role, name):
    where = f"{name} as {role or 'anonymous'}: got {response.status_code}, expected {expected}"
    assert _outcome_matches(response, expected), where


def _is_staff_page(response, role, name):
    return (
        role in (VIEWER, CAMPAIGNER, COORDINATOR)
        and response.status_code == 200
        and ":" in name
        and not name.startswith("public:")
        and response.headers.get("Content-Type", "").startswith("text/html")
    )


def _request(client, method, url, extra):
    if method == "get":
        return client.get(url, extra or {})
    return client.post(url, extra or {})


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_each_role_gets_what_its_table_row_says(client, users, objects, role):
    user = users.get(role)
    if user is not None:
        client.force_login(user)
    wrong = []
    for name, (method, kwargs, expected, extra) in MATRIX.items():
        url = reverse(name, kwargs=kwargs(objects, user) if kwargs else None)
        if name == "api-report-growth":
            extra = {"ask": objects["ask"].slug}
        if name == "logout":
            continue  # signs the client out: checked last
        response = _request(client, method, url, extra)
        if not _outcome_matches(response, expected[ROLES.index(role)]):
            wrong.append(f"{method.upper()} {name}: {response.status_code}")
        elif _is_staff_page(response, role, name):
            # The page hides what the role may not do: no link, form or bulk action to it.
            wrong.extend(offered_but_refused(role, name, url, response.content.decode()))
    for name, query in EXPORTS.items():
        method, kwargs, _expected, _extra = MATRIX[name]
        response = client.get(reverse(name, kwargs=kwargs(objects, user)), query)
        if not _outcome_matches(response, COORDINATOR_ONLY[ROLES.index(role)]):
            wrong.append(f"GET {name}?{query}: {response.status_code}")
    for name in API_LISTS:
        response = client.get(reverse(name))
        if not _outcome_matches(response, API_READ[ROLES.index(role)]):
            wrong.append(f"GET {name}: {response.status_code}")
    response = client.get(reverse("osdi:petition-signatures", kwargs=_petition(objects, user)))
    if not _outcome_matches(response, API_READ[ROLES.index(role)]):
        wrong.append(f"GET osdi:petition-signatures: {response.status_code}")
    for name in ADMIN_API_LISTS:
        response = client.get(reverse(name))
        if not _outcome_matches(response, API_ADMIN_READ[ROLES.index(role)]):
            wrong.append(f"GET {name}: {response.status_code}")
    assert wrong == [], f"as {role or 'anonymous'}: {wrong}"
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.headers["Location"] == reverse("login")


# Writes that the GET row above does not show: the same URL, sent by POST.
WRITES = {
    "crm:organisation-create": CAMPAIGNER_WRITE,
    "crm:organisation-update": CAMPAIGNER_WRITE,
    "crm:contact-update": CAMPAIGNER_WRITE,
    "crm:affiliation-update": CAMPAIGNER_WRITE,
    "crm:saved-view-delete": CAMPAIGNER_WRITE,
    "outreach:signature-edit": CAMPAIGNER_WRITE,
    "outreach:signature-withdraw": CAMPAIGNER_WRITE,
    "outreach:ask-update": COORDINATOR_ONLY,
    "outreach:email-compose": COORDINATOR_ONLY,
    "imports:undo": COORDINATOR_ONLY,
    "webhooks:endpoint-create": ADMIN_ONLY,
    "webhooks:endpoint-update": ADMIN_ONLY,
}


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r or "anonymous")
def test_writes_by_post_need_the_write_permission(client, users, objects, role):
    user = users.get(role)
    if user is not None:
        client.force_login(user)
    wrong = []
    for name, expected in WRITES.items():
        _method, kwargs, _expected, _extra = MATRIX[name]
        url = reverse(name, kwargs=kwargs(objects, user) if kwargs else None)
        response = client.post(url, {})
        if not _outcome_matches(response, expected[ROLES.index(role)]):
            wrong.append(f"POST {name}: {response.status_code}")
    assert wrong == [], f"as {role or 'anonymous'}: {wrong}"


@pytest.mark.parametrize(
    ("role", "action", "expected"),
    [
        (VIEWER, "add_tag", DENY),
        (CAMPAIGNER, "add_tag", OK),
        (CAMPAIGNER, "export_csv", DENY),
        (CAMPAIGNER, "add_to_ask", OK),
        (VIEWER, "add_to_ask", DENY),
        (COORDINATOR, "export_csv", OK),
    ],
)
def test_bulk_actions_check_their_own_permission(client, users, objects, role, action, expected):
    client.force_login(users[role])
    data = {
        "action": action,
        "scope": "all",
        "query": "",
        "tag": "press",
        "ask": objects["ask"].pk,
    }
    response = client.post(reverse("crm:contact-bulk"), data)
    _check(response, expected, role, action)


@pytest.mark.parametrize(
    ("role", "path", "expected"),
    [
        (VIEWER, "/admin/", 200),
        (VIEWER, "/admin/crm/contact/", 200),
        (VIEWER, "/admin/crm/contact/add/", 403),
        (VIEWER, "/admin/auth/user/", 403),
        (CAMPAIGNER, "/admin/crm/contact/add/", 200),
        (CAMPAIGNER, "/admin/outreach/ask/add/", 403),
        (COORDINATOR, "/admin/outreach/ask/add/", 200),
        (COORDINATOR, "/admin/auth/user/", 403),
        (ADMIN, "/admin/auth/user/", 200),
    ],
)
def test_the_admin_follows_the_roles(client, users, role, path, expected):
    client.force_login(users[role])
    assert client.get(path).status_code == expected


@pytest.mark.parametrize("role", [VIEWER, CAMPAIGNER])
def test_deleting_in_the_admin_needs_a_role_that_may_delete(client, users, objects, role):
    client.force_login(users[role])
    contact = objects["contact"]
    response = client.post(f"/admin/crm/contact/{contact.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403
    contact.refresh_from_db()
