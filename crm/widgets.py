"""Form widgets, and the country choices, shared by the staff lists and the public page."""

import functools

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language
from django_countries import countries


class QuickSelect(forms.Select):
    """A <select> built in Python instead of one template per <option>.

    The lists' filter forms carry several long selects (250 countries, every tag and
    ask); rendered option by option through templates they took most of the page's
    time (see docs/performance.md). Flat choices only: no option groups.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        chosen = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(key), " selected" if str(key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


def use_quick_selects(form):
    """Swap the plain single selects of `form` for QuickSelect, keeping their attributes.

    The records a model choice offers are read when the form is rendered (never for a
    form only validated, as the API's), once, with one query shared by the fields
    offering the same records (three ask filters, say)."""
    read = {}
    for field in form.fields.values():
        widget = field.widget
        if type(widget) is not forms.Select:
            continue
        quick = QuickSelect(attrs=widget.attrs)
        quick.choices = widget.choices
        quick.is_required = widget.is_required
        if isinstance(field, forms.ModelChoiceField):
            # A callable: Django calls it when the options are listed.
            quick.choices = functools.partial(_records_offered, field, read)
        field.widget = quick


def _records_offered(field, read):
    """What `field` offers; what is submitted is still checked against its queryset."""
    query = str(field.queryset.query)
    if query not in read:
        read[query] = [(obj.pk, field.label_from_instance(obj)) for obj in field.queryset]
    empty = [("", field.empty_label)] if field.empty_label is not None else []
    return empty + read[query]


@functools.cache
def _countries_in(language):
    return [(country.code, str(country.name)) for country in countries]


def country_choices():
    """Country names sorted in the reader's language, worked out once per language (the
    sorted, translated list of 250 names was a good part of a list page's time)."""
    return _countries_in(get_language())
