"""REST API v1 for organisations, contacts, affiliations, tags and consent records.

Filters come from the same FilterSets as the staff lists (crm/filters.py); writes that
span several rows go through the services.
"""

from django_countries.serializer_fields import CountryField as CountryCodeField
from phonenumber_field.serializerfields import PhoneNumberField
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed, ValidationError
from rest_framework.permissions import BasePermission
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
from crm.privacy import subject_erase
from crm.roles import DATA_PROTECTION

CONTACT_DETAILS_PERMISSION = "crm.list_contact_details"
WITHDRAW_BY_ACTION = "Withdraw a consent with POST /api/v1/consent-records/<id>/withdraw/."
ERASE_INSTEAD = (
    "A contact is not deleted: erase the person with POST /api/v1/contacts/<id>/erase/ "
    "(data protection role)."
)


class StaffViewSet(viewsets.ModelViewSet):
    permission_classes = [RolePermissions]


class SavedThroughService:
    """Creates and updates go through the service the staff pages use (`save`), which
    checks the model's rules and names who made the change in the history. The
    serializer only checks the shape of the request."""

    m2m_fields = ()

    def perform_create(self, serializer):
        serializer.instance = self._save(self.queryset.model(), serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self._save(serializer.instance, serializer.validated_data)

    def _save(self, instance, data):
        m2m = {name: data[name] for name in self.m2m_fields if name in data}
        for name, value in data.items():
            if name not in m2m:
                setattr(instance, name, value)
        return self.save(instance, m2m)


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


class AffiliationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Affiliation
        fields = ["id", "contact", "organisation", "role", "is_primary", "started_on", "ended_on"]
        # Not REST framework's copy of the one-primary constraint: a new primary
        # affiliation takes the flag from the old one (crm.services.affiliation_save).
        validators = []


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


class ContactEraseSerializer(serializers.Serializer):
    suppress = serializers.BooleanField(
        default=True, help_text="Keep a hash of the e-mail so the person is not imported again."
    )
    reason = serializers.CharField(default="Erased on request", max_length=200)


class CanManageDataProtection(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_staff and user.has_perm(f"crm.{DATA_PROTECTION}"))


# --- viewsets -----------------------------------------------------------------------


class TagViewSet(StaffViewSet):
    """OSDI: tags."""

    queryset = Tag.objects.all()
    serializer_class = TagSerializer
    filterset_class = TagFilter


class OrganisationViewSet(SavedThroughService, ExportMixin, StaffViewSet):
    export_kind = "organisations"
    queryset = Organisation.objects.prefetch_related("tags", "member_of")
    serializer_class = OrganisationSerializer
    filterset_class = OrganisationFilter
    m2m_fields = ("tags", "member_of")

    def save(self, organisation, m2m):
        return services.organisation_save(organisation=organisation, m2m=m2m, by=self.request.user)


class ContactViewSet(SavedThroughService, ExportMixin, StaffViewSet):
    """OSDI: people."""

    export_kind = "contacts"

    queryset = Contact.objects.prefetch_related("tags")
    serializer_class = ContactSerializer
    filterset_class = ContactFilter
    m2m_fields = ("tags",)

    def save(self, contact, m2m):
        return services.contact_save(contact=contact, m2m=m2m, by=self.request.user)

    def destroy(self, request, *args, **kwargs):
        # Deleting would keep the person's details in the history and let the address
        # come back with the next import: people are erased, through one door.
        raise MethodNotAllowed("DELETE", detail=ERASE_INSTEAD)

    @action(
        detail=True,
        methods=["post"],
        serializer_class=ContactEraseSerializer,
        permission_classes=[CanManageDataProtection],
    )
    def erase(self, request, pk=None):
        """Erase the person as the contact page does (crm.privacy.subject_erase): their
        details anonymised everywhere, their e-mail kept only as a hash unless
        `suppress` is false."""
        contact = self.get_object()
        body = ContactEraseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        erased = subject_erase(contact=contact, by=request.user, **body.validated_data)
        return Response({"id": contact.pk, "erased": True, "suppressed": erased.suppressed})

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


class AffiliationViewSet(SavedThroughService, StaffViewSet):
    queryset = Affiliation.objects.all()
    serializer_class = AffiliationSerializer
    filterset_class = AffiliationFilter

    def save(self, affiliation, m2m):
        return services.affiliation_save(affiliation=affiliation, by=self.request.user)


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
            raise ValidationError({"detail": services.WITHDRAWN_IS_KEPT})
        for name, value in serializer.validated_data.items():
            setattr(consent, name, value)
        serializer.instance = services.consent_give(consent=consent, by=self.request.user)

    @action(detail=True, methods=["post"], serializer_class=ConsentWithdrawSerializer)
    def withdraw(self, request, pk=None):
        """Withdraw the consent now: a consent to public listing takes the signatures it
        covers off public lists at once."""
        consent = services.consent_withdraw(consent=self.get_object(), by=request.user)
        return Response(ConsentRecordSerializer(consent).data)
