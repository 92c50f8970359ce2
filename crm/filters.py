"""One FilterSet per model, used by the staff lists and the API alike."""

import django_filters

from crm.models import Affiliation, ConsentRecord, Contact, Organisation, Tag


class TagFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains")
    sort = django_filters.OrderingFilter(fields=["name", "kind"])

    class Meta:
        model = Tag
        fields = ["kind"]


class OrganisationFilter(django_filters.FilterSet):
    # Placeholder until the staff lists' FilterSet lands (issue 3 branch).
    sort = django_filters.OrderingFilter(fields=["name", "country", "created_at"])

    class Meta:
        model = Organisation
        fields = ["kind", "country"]


class ContactFilter(django_filters.FilterSet):
    sort = django_filters.OrderingFilter(fields=["last_name", "first_name", "created_at"])

    class Meta:
        model = Contact
        fields = ["country", "preferred_language", "do_not_contact"]


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
