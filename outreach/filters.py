"""FilterSets for signature lists: the public list and the staff list."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from outreach.forms import PlainSelect
from outreach.models import Signature

KIND_CHOICES = [("organisation", _("Organisations")), ("individual", _("Individuals"))]


def _filter_kind(queryset, name, value):
    if value == "organisation":
        return queryset.filter(organisation__isnull=False)
    if value == "individual":
        return queryset.filter(organisation__isnull=True)
    return queryset


class PublicSignatureFilterSet(django_filters.FilterSet):
    """The public list of signatories; its queryset is already limited to listed ones."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    country = django_filters.ChoiceFilter(
        choices=countries, label=_("Country"), empty_label=_("All countries"), widget=PlainSelect
    )
    kind = django_filters.ChoiceFilter(
        choices=KIND_CHOICES, method="filter_kind", label=_("Signed as"), empty_label=_("All")
    )
    sort = django_filters.OrderingFilter(
        fields=(("display_name", "name"), ("signed_at", "date")),
        field_labels={"display_name": _("Name"), "signed_at": _("Date")},
        label=_("Sort by"),
        empty_label=None,
    )

    class Meta:
        model = Signature
        fields = ["q", "country", "kind"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the countries someone on the list signed from (one small query).
        present = set(self.queryset.order_by().values_list("country", flat=True).distinct())
        self.filters["country"].extra["choices"] = [
            (country.code, country.name) for country in countries if country.code in present
        ]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(display_name__icontains=value) | Q(affiliation_text__icontains=value)
        )

    def filter_kind(self, queryset, name, value):
        return _filter_kind(queryset, name, value)


YES_NO_ANY = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])


class SignatureFilterSet(django_filters.FilterSet):
    """Staff list of an ask's signatures."""

    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=Signature.Status.choices, empty_label="Any")
    kind = django_filters.ChoiceFilter(
        choices=KIND_CHOICES, method="filter_kind", label="Kind", empty_label="Any"
    )
    country = django_filters.ChoiceFilter(choices=countries, empty_label="Any", widget=PlainSelect)
    source = django_filters.ChoiceFilter(choices=Signature.Source.choices, empty_label="Any")
    public = django_filters.BooleanFilter(label="Listed publicly", widget=YES_NO_ANY)
    awaiting_verification = django_filters.BooleanFilter(
        label="Awaiting verification", widget=YES_NO_ANY
    )
    sort = django_filters.OrderingFilter(
        label="Sort by",
        empty_label="Newest first",
        fields=(
            ("display_name", "name"),
            ("signed_at", "signed"),
            ("country", "country"),
            ("status", "status"),
        ),
    )

    class Meta:
        model = Signature
        fields = ["q", "status", "kind", "country", "source", "public", "awaiting_verification"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(display_name__icontains=value)
            | Q(contact__email__icontains=value)
            | Q(contact__last_name__icontains=value)
            | Q(organisation__name__icontains=value)
        )

    def filter_kind(self, queryset, name, value):
        return _filter_kind(queryset, name, value)
