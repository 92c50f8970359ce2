"""Log lines on the "coalition.audit" logger for exports and imports: who, what, which
filter and how many rows. Never the rows themselves: no names, no e-mail addresses."""

import getpass
import logging
import re
from urllib.parse import parse_qsl, urlencode

logger = logging.getLogger("coalition.audit")

# Filter parameters that are about the page, not about which records left the app.
_NOT_FILTERS = {"page", "per_page", "export", "format", "csrfmiddlewaretoken"}
# Filters typed freely (a search, a name): what was typed may be a person's name or
# address, so the log says only that something was typed.
_TYPED_FILTERS = {"q", "name", "search"}
# Any other value that looks like an e-mail address or a phone number, whatever its key.
_PHONE_LIKE = re.compile(r"\+?[\d\s().-]+")
TYPED = "(typed)"


def _who(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user_id": None, "username": ""}
    return {"user_id": user.pk, "username": user.get_username()}


def describe_filter(query):
    """A list's query string, or a dict of its parameters, as the log shows it."""
    if not query:
        return "(none)"
    if isinstance(query, str):
        pairs = parse_qsl(query, keep_blank_values=False)
    else:
        pairs = [(key, value) for key in query for value in query.getlist(key)]
    kept = [(k, _loggable(k, v)) for k, v in pairs if k not in _NOT_FILTERS and v]
    return urlencode(kept, safe="()") or "(none)"


def _loggable(key, value):
    phone_like = _PHONE_LIKE.fullmatch(value) and sum(c.isdigit() for c in value) >= 9
    if key in _TYPED_FILTERS or "@" in value or phone_like:
        return TYPED
    return value


def log_export(*, user, what, file_format, rows, filter="", via="list", selected=False):
    """One line per download of records: who, which list or report, by which route (list,
    admin, api, command line), the filter, the row count. From the command line without
    a user, the operating-system account is named."""
    who = _who(user)
    name = who["username"] or f"system:{_os_user()}"
    described = describe_filter(filter) + (" (selected rows)" if selected else "")
    logger.info(
        "export %s as %s by %s via %s: %d rows, filter %s",
        what,
        file_format,
        name,
        via,
        rows,
        described,
        extra={
            **who,
            "user": name,
            "event": "export",
            "what": what,
            "kind": what,
            "format": file_format,
            "rows": rows,
            "filter": described,
            "via": via,
        },
    )


def _os_user():
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (containers)
        return "unknown"


def log_import(*, user, kind, status, counts, record_id=None):
    """One line per import that ended (imported, refused, failed) or was undone."""
    numbers = {key: value for key, value in (counts or {}).items() if isinstance(value, int)}
    logger.info(
        "import %s %s by %s: %s",
        kind,
        status,
        _who(user)["username"] or "(unknown)",
        ", ".join(f"{key} {value}" for key, value in sorted(numbers.items())) or "no counts",
        extra={
            **_who(user),
            "event": "import",
            "kind": kind,
            "status": status,
            "counts": numbers,
            "import_id": record_id,
        },
    )


def audit_api_paging(*, user, what, rows, query):
    """Paging through a list with personal details is an export by other means: the rows
    each person reads through the API are counted per hour, and every
    API_PAGING_AUDIT_AFTER of them leave a line like an export's."""
    from django.conf import settings
    from django.core.cache import cache

    every = settings.API_PAGING_AUDIT_AFTER
    if not rows or not every:
        return
    key = f"api-paging:{user.pk}:{what}"
    cache.add(key, 0, timeout=3600)
    try:
        total = cache.incr(key, rows)
    except ValueError:  # expired between add() and incr()
        cache.add(key, rows, timeout=3600)
        total = rows
    if total // every > (total - rows) // every:
        log_export(
            user=user, what=what, file_format="json", rows=total, filter=query, via="api paging"
        )
