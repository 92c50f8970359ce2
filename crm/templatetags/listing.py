"""Template helpers for staff lists: sortable column headers that keep the filters."""

from django import template
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def sort_header(context, field, label, param="sort"):
    """A <th> whose link sorts by `field`, toggling ascending/descending, keeping every
    other query parameter (filters, page size) and going back to the first page."""
    request = context["request"]
    current = request.GET.get(param, "")
    descending = current == f"-{field}"
    ascending = current == field
    query = request.GET.copy()
    query[param] = f"-{field}" if ascending else field
    query.pop("page", None)
    if ascending:
        aria, arrow = "ascending", " ▲"
    elif descending:
        aria, arrow = "descending", " ▼"
    else:
        aria, arrow = "none", ""
    return format_html(
        '<th scope="col" aria-sort="{}">'
        '<a href="?{}">{}<span aria-hidden="true">{}</span></a></th>',
        aria,
        query.urlencode(),
        label,
        arrow,
    )
