"""FilterSets for outreach lists; the HTML pages and the API use the same ones."""

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django_countries import countries

from outreach.models import Ask, Campaign, Outreach, Stage


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
        field_name="organisation__country", choices=countries, label="Country", empty_label="Any"
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
