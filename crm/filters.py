"""One FilterSet per model, shared by the staff lists and the API.

They read nothing but the query parameters, and every relation filter is an EXISTS
subquery, so a row never appears twice and combining filters stays a single query.
"""

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django_filters.widgets import DateRangeWidget
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from crm.models import Affiliation, ConsentRecord, Contact, Organisation, Tag
from crm.search import filter_by_search
from crm.widgets import country_choices, use_quick_selects
from outreach.models import Ask, Outreach, Signature, Stage

YES_NO = [("true", _("Yes")), ("false", _("No"))]


@extend_schema_field(OpenApiTypes.INT)
class RecordFilter(django_filters.ModelChoiceFilter):
    """Choose one record (a tag, an ask, a network); the API takes its id."""


ANY = _("Any")


class SortFilter(django_filters.OrderingFilter):
    """An OrderingFilter over an explicit list of columns that always ends with the
    primary key, so pages never repeat or skip a row. `then` adds tie-breakers per column
    (sorting contacts by name is by family name, then given name)."""

    def __init__(self, *args, then=None, default=(), **kwargs):
        self.then = then or {}
        self.default = list(default)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        ordering = []
        for param in value or []:
            if not param:
                continue
            field = self.get_ordering_value(param)
            descending = field.startswith("-")
            ordering.append(field)
            for extra in self.then.get(field.lstrip("-"), []):
                ordering.append(f"-{extra}" if descending else extra)
        return qs.order_by(*(ordering or self.default), "pk")


class FilterForm(forms.Form):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        use_quick_selects(self)


def _ask_choices():
    return Ask.objects.only("pk", "title").order_by("-opens_on", "title")


def _networks():
    return Organisation.objects.filter(kind=Organisation.Kind.NETWORK).only("pk", "name", "acronym")


class _RecordFilter(django_filters.FilterSet):
    """Filters that read the same on organisations and contacts."""

    q = django_filters.CharFilter(label=_("Search"), method="filter_search")
    country = django_filters.ChoiceFilter(
        empty_label=ANY, label=_("Country"), choices=country_choices
    )
    tag = RecordFilter(
        empty_label=ANY,
        label=_("Tag"),
        queryset=Tag.objects.filter(kind=Tag.Kind.LABEL),
        method="filter_tag",
    )
    cause = RecordFilter(
        empty_label=ANY,
        label=_("Cause"),
        queryset=Tag.objects.filter(kind=Tag.Kind.CAUSE),
        method="filter_tag",
    )
    has_email = django_filters.ChoiceFilter(
        empty_label=ANY, label=_("Has an e-mail"), choices=YES_NO, method="filter_has_email"
    )
    signed = RecordFilter(
        empty_label=ANY, label=_("Signed ask"), queryset=_ask_choices(), method="filter_signed"
    )
    declined = RecordFilter(
        empty_label=ANY, label=_("Declined ask"), queryset=_ask_choices(), method="filter_declined"
    )
    not_asked = RecordFilter(
        empty_label=ANY,
        label=_("Not yet asked for"),
        queryset=_ask_choices(),
        method="filter_not_asked",
    )
    never_asked = django_filters.ChoiceFilter(
        empty_label=ANY, label=_("Never asked"), choices=YES_NO, method="filter_never_asked"
    )
    created = django_filters.DateFromToRangeFilter(
        label=_("Added between"),
        field_name="created_at",
        widget=DateRangeWidget(attrs={"type": "date"}),
    )

    # Each model says which column links outreach and signatures to it.
    outreach_link = ""

    def filter_search(self, queryset, name, value):
        return filter_by_search(queryset, value)

    def filter_tag(self, queryset, name, tag):
        through = self.Meta.model.tags.through
        link = f"{self.Meta.model._meta.model_name}_id"
        return queryset.filter(
            Exists(through.objects.filter(**{link: OuterRef("pk"), "tag_id": tag.pk}))
        )

    def filter_has_email(self, queryset, name, value):
        has = Q(email__isnull=False) & ~Q(email="")
        return queryset.filter(has) if value == "true" else queryset.exclude(has)

    def _outreach(self, **conditions):
        return Outreach.objects.filter(**{self.outreach_link: OuterRef("pk")}, **conditions)

    def filter_signed(self, queryset, name, ask):
        signatures = Signature.objects.live().filter(
            **{self.outreach_link: OuterRef("pk")}, ask=ask
        )
        return queryset.filter(Exists(signatures))

    def filter_declined(self, queryset, name, ask):
        return queryset.filter(Exists(self._outreach(ask=ask, stage=Stage.DECLINED)))

    def _asked(self, **conditions):
        # Someone who signed without a pipeline entry (a public form) counts as asked.
        signatures = Signature.objects.filter(**{self.outreach_link: OuterRef("pk")}, **conditions)
        return Exists(self._outreach(**conditions)) | Exists(signatures)

    def filter_not_asked(self, queryset, name, ask):
        return queryset.exclude(self._asked(ask=ask))

    def filter_never_asked(self, queryset, name, value):
        asked = self._asked()
        return queryset.exclude(asked) if value == "true" else queryset.filter(asked)


class OrganisationFilter(_RecordFilter):
    kind = django_filters.ChoiceFilter(
        empty_label=ANY, label=_("Kind"), choices=Organisation.Kind.choices
    )
    network = RecordFilter(
        empty_label=ANY,
        label=_("Member of network"),
        queryset=_networks(),
        field_name="member_of",
        method="filter_network",
    )
    language = django_filters.ChoiceFilter(
        empty_label=ANY,
        label=_("A current contact speaks"),
        choices=settings.LANGUAGES,
        method="filter_language",
    )
    sort = SortFilter(
        label=_("Sort by"),
        fields=[
            ("name", "name"),
            ("kind", "kind"),
            ("country", "country"),
            ("city", "city"),
            ("created_at", "created"),
        ],
        default=["name"],
    )

    outreach_link = "organisation"

    class Meta:
        model = Organisation
        fields = []
        form = FilterForm

    def filter_network(self, queryset, name, network):
        through = Organisation.member_of.through
        return queryset.filter(
            Exists(
                through.objects.filter(
                    from_organisation_id=OuterRef("pk"), to_organisation_id=network.pk
                )
            )
        )

    def filter_language(self, queryset, name, language):
        return queryset.filter(
            Exists(
                Affiliation.objects.current()
                .filter(organisation=OuterRef("pk"))
                .filter(_speaks(language, "contact__"))
            )
        )


def _speaks(language, prefix=""):
    """Contacts whose language is `language` in any region: 'pt' finds 'pt' and 'pt-BR'."""
    field = f"{prefix}preferred_language"
    return Q(**{field: language}) | Q(**{f"{field}__startswith": f"{language}-"})


class ContactFilter(_RecordFilter):
    language = django_filters.ChoiceFilter(
        empty_label=ANY,
        label=_("Preferred language"),
        choices=settings.LANGUAGES,
        method="filter_language",
    )
    kind = django_filters.ChoiceFilter(
        empty_label=ANY,
        label=_("Works at a kind of organisation"),
        choices=Organisation.Kind.choices,
        method="filter_kind",
    )
    network = RecordFilter(
        empty_label=ANY,
        label=_("Works at a member of network"),
        queryset=_networks(),
        method="filter_network",
    )
    do_not_contact = django_filters.ChoiceFilter(
        empty_label=ANY, label=_("Do not contact"), choices=YES_NO, method="filter_do_not_contact"
    )
    sort = SortFilter(
        label=_("Sort by"),
        fields=[
            ("last_name", "name"),
            ("email", "email"),
            ("country", "country"),
            ("created_at", "created"),
        ],
        then={"last_name": ["first_name"]},
        default=["last_name", "first_name"],
    )

    outreach_link = "contact"

    class Meta:
        model = Contact
        fields = []
        form = FilterForm

    def filter_language(self, queryset, name, language):
        return queryset.filter(_speaks(language))

    def filter_kind(self, queryset, name, kind):
        return queryset.filter(
            Exists(
                Affiliation.objects.current().filter(
                    contact=OuterRef("pk"), organisation__kind=kind
                )
            )
        )

    def filter_network(self, queryset, name, network):
        members = Organisation.member_of.through.objects.filter(to_organisation_id=network.pk)
        return queryset.filter(
            Exists(
                Affiliation.objects.current().filter(
                    contact=OuterRef("pk"),
                    organisation_id__in=members.values("from_organisation_id"),
                )
            )
        )

    def filter_do_not_contact(self, queryset, name, value):
        return queryset.filter(do_not_contact=value == "true")


class TagFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    sort = django_filters.OrderingFilter(fields=["name", "kind"])

    class Meta:
        model = Tag
        fields = ["kind"]


class AffiliationFilter(django_filters.FilterSet):
    sort = django_filters.OrderingFilter(fields=["started_on", "ended_on"])

    class Meta:
        model = Affiliation
        fields = ["contact", "organisation", "is_primary"]


class ConsentRecordFilter(django_filters.FilterSet):
    withdrawn = django_filters.BooleanFilter(
        field_name="withdrawn_at", lookup_expr="isnull", exclude=True
    )
    sort = django_filters.OrderingFilter(fields=["given_at", "withdrawn_at"])

    class Meta:
        model = ConsentRecord
        fields = ["contact", "purpose", "lawful_basis"]
