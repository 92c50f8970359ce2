"""Template helpers for the reports pages."""

import datetime

from django import template
from django.contrib.humanize.templatetags.humanize import intcomma

register = template.Library()


@register.filter
def report_cell(value):
    """A table cell as people read it: dates spelled out, a dash for no value."""
    if value is None:
        return "–"
    if value is True:
        return "partial"
    if value is False:
        return ""
    if isinstance(value, datetime.date):
        return value.strftime("%-d %b %Y")
    if isinstance(value, int):
        return intcomma(value)
    return value


@register.filter
def signed_number(value):
    """+12, 0, −3."""
    return f"+{value:,}" if value > 0 else f"{value:,}".replace("-", "−")
