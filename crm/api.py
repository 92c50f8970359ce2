"""REST API v1 for organisations, contacts, affiliations, tags and consent records.

Filters come from the same FilterSets as the staff lists (crm/filters.py); writes that
span several rows go through the services.
"""

from django_countries.serializer_fields import CountryField as CountryCodeField
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from crm import services
from crm.api_base import RolePermissions
from crm.api_export import ExportMixin
from crm.audit import audit_api_paging
from crm.countries import parse_country
from crm.filters import (
    AffiliationFilter,
    ConsentRecordFilter,
    ContactFilter,
    OrganisationFilter,
    TagFilter,
)
from crm.languages import LANGUAGE_UNKNOWN, parse_language
from crm.models import Affiliation, ConsentRecord, Contact, Organisation, Tag

CONTACT_DETAILS_PERMISSION = "crm.list_contact_details"
WITHDRAW_BY_ACTION = "Withdraw a consent with POST /api/v1/consent-records/<id>/withdraw/."
WITHDRAWN_IS_KEPT = "A withdrawn consent is kept as it was; record a new one instead."


class StaffViewSet(viewsets.ModelViewSet):
    permission_classes = [RolePermissions]


# --- serializers --------------------------------------------------------------------


class CountryField(CountryCodeField):
    """A country as the import reads it (crm.countries): a code, or a name in any of the
    interface languages ("United States", "DR Congo"); "International" is no country."""

    def to_internal_value(self, data):
        if isinstance(data, str):
            code = parse_country(data)
            if code is not None:
                return code
        return super().to_internal_value(data)


class TagSerializer(serializers.ModelSerializer):
    class Meta:
        model = Tag
        fields = ["id", "name", "kind"]


class OrganisationSerializer(serializers.ModelSerializer):
    country = CountryField(required=False, allow_blank=True)
    tags = serializers.PrimaryKeyRelatedField(many=True, queryset=Tag.objects.all(), required=False)
    member_of = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Organisation.objects.all(), required=False
    )

    class Meta:
        model = Organisation
        fields = [
            "id",
            "name",
            "acronym",
            "kind",
            "country",
            "city",
            "website",
            "domain",
            "email",
            "tags",
            "member_of",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["domain", "created_at", "updated_at"]


class ContactSerializer(serializers.ModelSerializer):
    country = CountryField(required=False, allow_blank=True)
    phone = PhoneNumberField(required=False, allow_blank=True)
    tags = serializers.PrimaryKeyRelatedField(many=True, queryset=Tag.objects.all(), required=False)

    class Meta:
        model = Contact
        fields = [
            "id",
            "first_name",
            "last_name",
            "email",
            "phone",
            "preferred_language",
            "country",
            "expertise",
            "do_not_contact",
            "tags",
            "notes",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate_preferred_language(self, value):
        tag = parse_language(value)
        if tag is None:
            raise ValidationError(LANGUAGE_UNKNOWN.format(value=value))
        return tag

    def validate_email(self, value):
        others = Contact.objects.filter(email=value)
        if self.instance is not None:
            others = others.exclude(pk=self.instance.pk)
        if value and others.exists():
            raise ValidationError("A contact with this e-mail already exists.")
        return value

    def validate(self, attrs):
        merged = {**self._current(), **attrs}
        if not (merged.get("first_name") or merged.get("last_name") or merged.get("email")):
            raise ValidationError("A contact needs a name or an e-mail.")
        return attrs

    def _current(self):
        if self.instance is None:
            return {}
        return {
            "first_name": self.instance.first_name,
            "last_name": self.instance.last_name,
            "email": self.instance.email,
        }


class AffiliationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Affiliation
        fields = ["id", "contact", "organisation", "role", "is_primary", "started_on", "ended_on"]

    def validate(self, attrs):
        started = attrs.get("started_on", getattr(self.instance, "started_on", None))
        ended = attrs.get("ended_on", getattr(self.instance, "ended_on", None))
        if started and ended and ended < started:
            raise ValidationError({"ended_on": "An affiliation cannot end before it starts."})
        return attrs


class ConsentRecordSerializer(serializers.ModelSerializer):
    class Meta:
        model = ConsentRecord
        fields = [
            "id",
            "contact",
            "purpose",
            "lawful_basis",
            "given_at",
            "withdrawn_at",
            "source",
            "text_version",
        ]
        # Withdrawal is an action (POST …/withdraw/): it takes signatures off public lists.
        read_only_fields = ["withdrawn_at"]

    def validate(self, attrs):
        if "withdrawn_at" in self.initial_data:
            raise ValidationError({"withdrawn_at": WITHDRAW_BY_ACTION})
        return attrs


class ConsentWithdrawSerializer(serializers.Serializer):
    """No body: the consent is withdrawn now."""


# --- viewsets -----------------------------------------------------------------------


class TagViewSet(StaffViewSet):
    """OSDI: tags."""

    queryset = Tag.objects.all()
    serializer_class = TagSerializer
    filterset_class = TagFilter


class OrganisationViewSet(ExportMixin, StaffViewSet):
    export_kind = "organisations"
    queryset = Organisation.objects.prefetch_related("tags", "member_of")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter


class ContactViewSet(ExportMixin, StaffViewSet):
    """OSDI: people."""

    export_kind = "contacts"

    queryset = Contact.objects.prefetch_related("tags")
    serializer_class = ContactSerializer
    filterset_class = ContactFilter

    def get_serializer(self, *args, **kwargs):
        serializer = super().get_serializer(*args, **kwargs)
        listing = getattr(serializer, "child", None)  # a page of the list, not the schema
        if listing is not None and not self.request.user.has_perm(CONTACT_DETAILS_PERMISSION):
            for name in ("email", "phone"):
                listing.fields.pop(name, None)
        return serializer

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        if request.user.has_perm(CONTACT_DETAILS_PERMISSION):
            rows = len(response.data.get("results", ()))
            audit_api_paging(user=request.user, what="contacts", rows=rows, query=request.GET)
        return response


class AffiliationViewSet(StaffViewSet):
    queryset = Affiliation.objects.all()
    serializer_class = AffiliationSerializer
    filterset_class = AffiliationFilter


class ConsentRecordViewSet(StaffViewSet):
    """Consent records, given and withdrawn through the same services as the contact's
    page (crm.services.consent_give, consent_withdraw)."""

    queryset = ConsentRecord.objects.all()
    serializer_class = ConsentRecordSerializer
    filterset_class = ConsentRecordFilter

    def perform_create(self, serializer):
        consent = ConsentRecord(**serializer.validated_data)
        serializer.instance = services.consent_give(consent=consent, by=self.request.user)

    def perform_update(self, serializer):
        consent = serializer.instance
        if consent.withdrawn_at is not None:
            raise ValidationError({"detail": WITHDRAWN_IS_KEPT})
        for name, value in serializer.validated_data.items():
            setattr(consent, name, value)
        serializer.instance = services.consent_give(consent=consent, by=self.request.user)

    @action(detail=True, methods=["post"], serializer_class=ConsentWithdrawSerializer)
    def withdraw(self, request, pk=None):
        """Withdraw the consent now: a consent to public listing takes the signatures it
        covers off public lists at once."""
        consent = services.consent_withdraw(consent=self.get_object(), by=request.user)
        return Response(ConsentRecordSerializer(consent).data)
