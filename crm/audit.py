"""Log lines on the "coalition.audit" logger for exports and imports: who, what, which
filter and how many rows. Never the rows themselves: no names, no e-mail addresses."""

import logging
from urllib.parse import parse_qsl, urlencode

logger = logging.getLogger("coalition.audit")

# Filter parameters that are about the page, not about which records left the app.
_NOT_FILTERS = {"page", "per_page", "export", "format", "csrfmiddlewaretoken"}


def _who(user):
    if user is None or not getattr(user, "is_authenticated", False):
        return {"user_id": None, "username": ""}
    return {"user_id": user.pk, "username": user.get_username()}


def describe_filter(query):
    """A list's query string, or a dict of its parameters, as the log shows it."""
    if isinstance(query, str):
        pairs = parse_qsl(query, keep_blank_values=False)
    else:
        pairs = [(key, value) for key in query for value in query.getlist(key)]
    return urlencode([(k, v) for k, v in pairs if k not in _NOT_FILTERS and v]) or "(none)"


def log_export(*, user, what, file_format, rows, filter="(none)"):
    """One line per download of records: who, which list or report, filter, row count."""
    logger.info(
        "export %s as %s by %s: %d rows, filter %s",
        what,
        file_format,
        _who(user)["username"] or "(anonymous)",
        rows,
        filter,
        extra={
            **_who(user),
            "event": "export",
            "what": what,
            "format": file_format,
            "rows": rows,
            "filter": filter,
        },
    )


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
