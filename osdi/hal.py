"""HAL+JSON as OSDI speaks it: `_links`, `_embedded`, and its page-number pagination
(`page`, `per_page`, `total_pages`, `total_records`)."""

import datetime
import math

from django.urls import reverse
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import JSONParser
from rest_framework.renderers import JSONRenderer
from rest_framework.utils.urls import replace_query_param

PER_PAGE = 25
MAX_PER_PAGE = 100
NOT_A_PAGE = "“{value}” is not a page number: use a whole number from 1."
NOT_A_PAGE_SIZE = "“{value}” is not a page size: use a whole number from 1 to {most}."

ORIGIN_SYSTEM = "Coalition CRM"
# Identifiers read "coalition_crm:<id>", unique within each kind of resource.
ID_PREFIX = "coalition_crm"


class HalJSONRenderer(JSONRenderer):
    media_type = "application/hal+json"


class HalJSONParser(JSONParser):
    media_type = "application/hal+json"


def link(request, name, *args):
    return {"href": request.build_absolute_uri(reverse(f"osdi:{name}", args=args))}


def identifiers(pk):
    return [f"{ID_PREFIX}:{pk}"]


def curies(request):
    """`osdi:` relations are OSDI's; `coalition:` ones are this CRM's extensions,
    described in docs/interop.md (served with the API docs)."""
    return [
        {
            "name": "osdi",
            "href": "https://opensupporter.github.io/osdi-docs/{rel}",
            "templated": True,
        },
        {
            "name": "coalition",
            "href": request.build_absolute_uri(reverse("api-docs")) + "#{rel}",
            "templated": True,
        },
    ]


def iso(moment):
    """OSDI's date-times: UTC, to the second, with a Z."""
    if moment is None:
        return None
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _whole_number(value, message, low, high=None):
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    too_big = high is not None and number is not None and number > high
    if number is None or number < low or too_big:
        raise ValidationError({"detail": [message]})
    return number


def page_numbers(query_params):
    """(page, per_page) from the query string, refused when they are not numbers."""
    raw_page = query_params.get("page", "1")
    raw_size = query_params.get("per_page", str(PER_PAGE))
    page = _whole_number(raw_page, NOT_A_PAGE.format(value=raw_page), 1)
    per_page = _whole_number(
        raw_size, NOT_A_PAGE_SIZE.format(value=raw_size, most=MAX_PER_PAGE), 1, MAX_PER_PAGE
    )
    return page, per_page


def collection(request, queryset, *, rel, represent):
    """One page of `queryset` as an OSDI collection: two queries, whatever the page size
    (a count, then the page), plus what `queryset` prefetches."""
    page, per_page = page_numbers(request.query_params)
    total = queryset.count()
    total_pages = max(1, math.ceil(total / per_page))
    start = (page - 1) * per_page
    rows = list(queryset[start : start + per_page]) if start < total else []
    url = request.build_absolute_uri()
    here = replace_query_param(replace_query_param(url, "page", page), "per_page", per_page)
    links = {"self": {"href": here}, "curies": curies(request)}
    if page < total_pages:
        links["next"] = {"href": replace_query_param(here, "page", page + 1)}
    if page > 1:
        links["prev"] = {"href": replace_query_param(here, "page", min(page, total_pages) - 1)}
    embedded = [represent(row) for row in rows]
    links[rel] = [item["_links"]["self"] for item in embedded]
    return {
        "page": page,
        "per_page": per_page,
        "total_pages": total_pages,
        "total_records": total,
        "_links": links,
        "_embedded": {rel: embedded},
    }
