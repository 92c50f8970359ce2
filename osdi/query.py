"""The OSDI `filter` parameter, the part of OData that sync clients use:

    filter=modified_date gt '2026-01-31T00:00:00Z'
    filter=modified_date gt '2026-01-01' and modified_date lt '2026-02-01'

Read strictly: anything else is refused with a message naming what was wrong, never
ignored (a sync that silently got everything, or nothing, would be worse).
"""

import datetime
import re

from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from rest_framework.exceptions import ValidationError

FILTER_SYNTAX = (
    "Could not read the filter “{clause}”: write a condition as "
    "modified_date gt '2026-01-31T00:00:00Z', and join conditions with “and”."
)
FILTER_FIELD = "“{field}” cannot be filtered on; use {fields}."
FILTER_OPERATOR = "“{operator}” is not an operator here; use gt (after) or lt (before)."
FILTER_DATE = "“{value}” is not a date or date-time (ISO 8601, e.g. 2026-01-31T12:00:00Z)."
FILTER_NOT_SUPPORTED = "This collection cannot be filtered: {reason}"

# OSDI's names for the timestamps every record here keeps.
DATE_FIELDS = {"modified_date": "updated_at", "created_date": "created_at"}
OPERATORS = {"gt": "gt", "lt": "lt"}

_CONDITION = re.compile(r"(?P<field>\w+)\s+(?P<operator>\w+)\s+'(?P<value>[^']*)'")
_AND = re.compile(r"\s+and\s+")


def parse_filter(text, *, fields=DATE_FIELDS):
    """The Q object for an OSDI filter; raises ValidationError({"filter": ...})."""
    query = Q()
    for clause in _AND.split(text.strip()):
        query &= _condition(clause.strip(), fields)
    return query


def _condition(clause, fields):
    match = _CONDITION.fullmatch(clause)
    if match is None:
        raise _error(FILTER_SYNTAX.format(clause=clause))
    field, operator, value = match.group("field", "operator", "value")
    if field not in fields:
        raise _error(FILTER_FIELD.format(field=field, fields=" or ".join(fields)))
    if operator not in OPERATORS:
        raise _error(FILTER_OPERATOR.format(operator=operator))
    return Q(**{f"{fields[field]}__{OPERATORS[operator]}": parse_moment(value)})


def parse_moment(value):
    """An ISO 8601 date-time (a date means its midnight); without a zone it is UTC, as
    OSDI servers read it."""
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            if day is not None:
                moment = datetime.datetime.combine(day, datetime.time())
    except ValueError:
        moment = None
    if moment is None:
        raise _error(FILTER_DATE.format(value=value))
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


def _error(message):
    return ValidationError({"filter": [message]})
