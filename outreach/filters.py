"""One FilterSet per model, used by the staff pages and the API alike."""

import django_filters

from outreach.models import Activity, Ask, Campaign, Outreach, Signature


class CampaignFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    sort = django_filters.OrderingFilter(fields=["name", "created_at"])

    class Meta:
        model = Campaign
        fields = ["slug"]


class AskFilter(django_filters.FilterSet):
    title = django_filters.CharFilter(lookup_expr="icontains")
    sort = django_filters.OrderingFilter(fields=["title", "opens_on", "closes_on", "created_at"])

    class Meta:
        model = Ask
        fields = ["campaign", "slug", "kind", "signers", "is_published"]


class OutreachFilter(django_filters.FilterSet):
    follow_up_before = django_filters.DateFilter(field_name="next_follow_up_on", lookup_expr="lte")
    sort = django_filters.OrderingFilter(
        fields=["stage", "stage_changed_at", "next_follow_up_on", "follow_up_count", "created_at"]
    )

    class Meta:
        model = Outreach
        fields = ["ask", "stage", "owner", "organisation", "contact"]


class ActivityFilter(django_filters.FilterSet):
    occurred_after = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="gte")
    occurred_before = django_filters.IsoDateTimeFilter(field_name="occurred_at", lookup_expr="lt")
    sort = django_filters.OrderingFilter(fields=["occurred_at", "kind"])

    class Meta:
        model = Activity
        fields = ["kind", "outreach", "organisation", "contact", "actor"]


class SignatureFilter(django_filters.FilterSet):
    signed_after = django_filters.IsoDateTimeFilter(field_name="signed_at", lookup_expr="gte")
    signed_before = django_filters.IsoDateTimeFilter(field_name="signed_at", lookup_expr="lt")
    sort = django_filters.OrderingFilter(fields=["signed_at", "display_name", "country"])

    class Meta:
        model = Signature
        fields = ["ask", "status", "source", "public", "country", "organisation", "contact"]
