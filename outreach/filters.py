"""FilterSets for outreach and signature lists; the HTML pages and the API use the same ones."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.widgets import QuickSelect, country_choices
from outreach.models import Activity, Ask, Campaign, Outreach, Signature, Stage


class OutreachFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    stage = django_filters.MultipleChoiceFilter(
        choices=Stage.choices, label="Stage", widget=forms.CheckboxSelectMultiple
    )
    owner = django_filters.ModelChoiceFilter(
        queryset=get_user_model().objects.filter(is_staff=True).order_by("username"),
        null_label="No owner",
        empty_label="Any",
        label="Owner",
    )
    country = django_filters.ChoiceFilter(
        field_name="organisation__country",
        choices=country_choices,
        label="Country",
        empty_label="Any",
    )
    follow_up = django_filters.ChoiceFilter(
        method="by_follow_up",
        label="Follow-up",
        empty_label="Any",
        choices=[("overdue", "Overdue"), ("due", "Due today or overdue"), ("none", "None set")],
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("organisation__name", "partner"),
            ("contact__last_name", "contact"),
            ("owner__username", "owner"),
            ("stage", "stage"),
            ("stage_changed_at", "since"),
            ("next_follow_up_on", "follow_up"),
            ("follow_up_count", "reminders"),
        ),
    )

    class Meta:
        model = Outreach
        fields = ["ask"]

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(
            Q(organisation__name__icontains=value)
            | Q(organisation__acronym__icontains=value)
            | Q(contact__first_name__icontains=value)
            | Q(contact__last_name__icontains=value)
            | Q(contact__email__icontains=value)
        )

    def by_follow_up(self, queryset, name, value):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.follow_ups_due_by(today).filter(next_follow_up_on__lt=today)
        if value == "due":
            return queryset.follow_ups_due_by(today)
        return queryset.filter(next_follow_up_on__isnull=True)


class AskFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title")
    campaign = django_filters.ModelChoiceFilter(queryset=Campaign.objects.all(), empty_label="Any")
    is_published = django_filters.BooleanFilter(
        label="Published",
        widget=forms.Select(
            choices=[("", "Any"), ("true", "Published"), ("false", "Not published")]
        ),
    )
    sort = django_filters.OrderingFilter(
        fields=(("title", "title"), ("opens_on", "opens"), ("closes_on", "closes"))
    )

    class Meta:
        model = Ask
        fields = ["campaign", "is_published"]


# Signatures: the public list and the staff list ---------------------------------

KIND_CHOICES = [("organisation", _("Organisations")), ("individual", _("Individuals"))]


def _filter_kind(queryset, name, value):
    if value == "organisation":
        return queryset.filter(organisation__isnull=False)
    if value == "individual":
        return queryset.filter(organisation__isnull=True)
    return queryset


class PublicListForm(forms.Form):
    def __init__(self, *args, **kwargs):
        # Ids of its own: the sign form on the same page has a "country" field too.
        kwargs.setdefault("auto_id", "list-%s")
        super().__init__(*args, **kwargs)


class PublicSignatureFilter(django_filters.FilterSet):
    """The public list of signatories; its queryset is already limited to listed ones."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    country = django_filters.ChoiceFilter(
        choices=country_choices,
        label=_("Country"),
        empty_label=_("All countries"),
        widget=QuickSelect,
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
        form = PublicListForm

    def __init__(self, *args, countries_present, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the countries someone on the list signed from (the caller reads them,
        # from the cache when it can).
        self.filters["country"].extra["choices"] = [
            (code, name) for code, name in country_choices() if code in countries_present
        ]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(display_name__icontains=value) | Q(affiliation_text__icontains=value)
        )

    def filter_kind(self, queryset, name, value):
        return _filter_kind(queryset, name, value)


YES_NO_ANY = forms.Select(choices=[("", "Any"), ("true", "Yes"), ("false", "No")])


class SignatureFilter(django_filters.FilterSet):
    """Staff list of an ask's signatures."""

    q = django_filters.CharFilter(method="search", label="Search")
    status = django_filters.ChoiceFilter(choices=Signature.Status.choices, empty_label="Any")
    kind = django_filters.ChoiceFilter(
        choices=KIND_CHOICES, method="filter_kind", label="Kind", empty_label="Any"
    )
    country = django_filters.ChoiceFilter(
        choices=country_choices, empty_label="Any", widget=QuickSelect
    )
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
        fields = [
            "ask",
            "q",
            "status",
            "kind",
            "country",
            "source",
            "public",
            "awaiting_verification",
        ]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(display_name__icontains=value)
            | Q(contact__email__icontains=value)
            | Q(contact__last_name__icontains=value)
            | Q(organisation__name__icontains=value)
        )

    def filter_kind(self, queryset, name, value):
        return _filter_kind(queryset, name, value)


class CampaignFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    sort = django_filters.OrderingFilter(fields=["name", "created_at"])

    class Meta:
        model = Campaign
        fields = ["slug"]


class ActivityFilter(django_filters.FilterSet):
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")
    sort = django_filters.OrderingFilter(fields=["occurred_at", "kind"])

    class Meta:
        model = Activity
        fields = ["kind", "outreach", "organisation", "contact", "actor"]
