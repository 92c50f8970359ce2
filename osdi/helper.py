"""A petition's signatures: GET lists them, POST is OSDI's record signature helper.

    POST /api/osdi/v1/petitions/<id>/signatures/
    {"person": {"given_name": "Ana", "family_name": "Silva",
                "email_addresses": [{"address": "ana@example.org", "primary": true}],
                "postal_addresses": [{"country": "PT"}]},
     "add_tags": ["volunteer"], "comments": "…", "action_date": "2026-03-01T10:00:00Z",
     "coalition:public_listing_consent": true}

The body is read for the fields below only; anything else (a status, a listing flag, a
link or identifier naming another person) is ignored: the person is whoever owns the
e-mail address.
"""

from django.utils import timezone
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from crm.api import CountryField
from crm.languages import LANGUAGE_UNKNOWN, parse_language
from osdi import representations
from osdi.api import SignaturesView
from osdi.services import OsdiSigner, signature_record_osdi, signature_submit_osdi

NO_EMAIL = "The person needs an e-mail address: it is how they are matched or added."
IN_THE_FUTURE = "A signature cannot be dated in the future."
LISTING_CONSENT = "coalition:public_listing_consent"
DOUBLE_OPT_IN = "coalition:double_opt_in"
CONSENT_VERSION = "coalition:consent_text_version"


class EmailAddressSerializer(serializers.Serializer):
    address = serializers.EmailField()
    primary = serializers.BooleanField(required=False, default=False)


class PostalAddressSerializer(serializers.Serializer):
    country = CountryField(required=False, allow_blank=True, default="")
    primary = serializers.BooleanField(required=False, default=False)


class PersonSerializer(serializers.Serializer):
    given_name = serializers.CharField(required=False, allow_blank=True, max_length=100, default="")
    family_name = serializers.CharField(
        required=False, allow_blank=True, max_length=100, default=""
    )
    email_addresses = EmailAddressSerializer(many=True)
    postal_addresses = PostalAddressSerializer(many=True, required=False, default=list)
    languages_spoken = serializers.ListField(
        child=serializers.CharField(), required=False, default=list, max_length=10
    )

    def validate_email_addresses(self, addresses):
        if not addresses:
            raise serializers.ValidationError(NO_EMAIL)
        return addresses

    def validate_languages_spoken(self, languages):
        tags = []
        for value in languages:
            tag = parse_language(value)
            if tag is None:
                raise serializers.ValidationError(LANGUAGE_UNKNOWN.format(value=value))
            tags.append(tag)
        return [tag for tag in tags if tag]


def _primary(items):
    return next((item for item in items if item["primary"]), items[0]) if items else None


class RecordSignatureSerializer(serializers.Serializer):
    person = PersonSerializer()
    add_tags = serializers.ListField(
        child=serializers.CharField(max_length=80), required=False, default=list, max_length=20
    )
    comments = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")
    action_date = serializers.DateTimeField(required=False, default=None)
    origin_system = serializers.CharField(
        required=False, allow_blank=True, max_length=100, default=""
    )
    referrer_data = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=300),
        required=False,
        default=dict,
    )

    def get_fields(self):
        # The extensions' names hold a colon, so they are added by name.
        fields = super().get_fields()
        fields[LISTING_CONSENT] = serializers.BooleanField(required=False, default=False)
        # None: the body does not say, and the token's setting decides.
        fields[DOUBLE_OPT_IN] = serializers.BooleanField(
            required=False, allow_null=True, default=None
        )
        fields[CONSENT_VERSION] = serializers.CharField(
            required=False, allow_blank=True, max_length=50, default=""
        )
        return fields

    def validate_action_date(self, value):
        if value is not None and value > timezone.now():
            raise serializers.ValidationError(IN_THE_FUTURE)
        return value

    def signer(self):
        data = self.validated_data
        person = data["person"]
        address = _primary(person["postal_addresses"])
        return OsdiSigner(
            email=_primary(person["email_addresses"])["address"],
            given_name=person["given_name"],
            family_name=person["family_name"],
            country=address["country"] if address else "",
            language=(person["languages_spoken"] or [""])[0],
            action_date=data["action_date"],
            comments=data["comments"],
            referrer_data=data["referrer_data"],
            add_tags=tuple(data["add_tags"]),
            listing_consent=data[LISTING_CONSENT],
            consent_text_version=data[CONSENT_VERSION],
            origin_system=data["origin_system"],
        )


def _double_opt_in(asked, token):
    """The body's `coalition:double_opt_in` when it says, else the token's setting (a
    signed-in session has no token: no double opt-in)."""
    if asked is not None:
        return asked
    return bool(getattr(token, "double_opt_in", False))


class CanRecordSignatures(BasePermission):
    """Recording a signature may add the person: it takes both permissions, as the
    staff pages would."""

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user
            and user.is_staff
            and user.has_perms(["outreach.add_signature", "crm.add_contact", "crm.view_contact"])
        )


class PetitionSignaturesView(SignaturesView):
    def get_permissions(self):
        if self.request.method == "POST":
            return [CanRecordSignatures()]
        return super().get_permissions()

    def post(self, request, petition_pk):
        ask = self.petition()
        body = RecordSignatureSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        signer = body.signer()
        if _double_opt_in(body.validated_data[DOUBLE_OPT_IN], request.auth):
            base_url = request.build_absolute_uri("/").rstrip("/")
            recorded = signature_submit_osdi(
                ask=ask, signer=signer, by=request.user, base_url=base_url
            )
        else:
            recorded = signature_record_osdi(ask=ask, signer=signer, by=request.user)
        return Response(
            representations.signature(recorded.signature, request),
            status=status.HTTP_201_CREATED if recorded.created else status.HTTP_200_OK,
        )
