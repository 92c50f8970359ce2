"""The OSDI endpoints (read side) and the entry point. The record signature helper,
POST on a petition's signatures, is in helper.py.

The same roles as the REST API: reading needs the role's `view` permission on the
model (crm.api_base.RolePermissions), and a role without crm.list_contact_details gets
no e-mails or phones in a list of people.
"""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from rest_framework.exceptions import ValidationError
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings

from crm.api import CONTACT_DETAILS_PERMISSION
from crm.api_base import RolePermissions
from crm.audit import audit_api_paging
from crm.models import Contact, Tag
from osdi import representations
from osdi.authentication import OsdiTokenAuthentication
from osdi.hal import MAX_PER_PAGE, HalJSONParser, HalJSONRenderer, collection, curies, link
from osdi.query import DATE_FIELDS, FILTER_NOT_SUPPORTED, parse_filter
from outreach.models import Ask, Signature

OSDI_VERSION = "1.1.1"
MOTD = "Coalition CRM: organisations, people and the statements they sign."
TAGS_KEEP_NO_DATES = "tags and taggings keep no dates."


class IsStaff(BasePermission):
    def has_permission(self, request, view):
        return bool(request.user and request.user.is_staff)


class OsdiView(GenericAPIView):
    """What every OSDI endpoint shares: its authentication (the OSDI header first, then
    the REST API's own schemes), HAL+JSON in and out, and the roles."""

    authentication_classes = [OsdiTokenAuthentication, *api_settings.DEFAULT_AUTHENTICATION_CLASSES]
    renderer_classes = [HalJSONRenderer, JSONRenderer]
    parser_classes = [JSONParser, HalJSONParser]
    permission_classes = [RolePermissions]
    filter_backends = []
    pagination_class = None
    schema = None  # described in docs/interop.md, not in the REST API's OpenAPI schema
    rel = ""
    filter_fields = DATE_FIELDS

    def represent(self, row):
        raise NotImplementedError

    def filtered(self, queryset):
        text = self.request.query_params.get("filter")
        if text is None:
            return queryset
        if not self.filter_fields:
            message = FILTER_NOT_SUPPORTED.format(reason=TAGS_KEEP_NO_DATES)
            raise ValidationError({"filter": [message]})
        return queryset.filter(parse_filter(text, fields=self.filter_fields))

    def list_response(self):
        queryset = self.filtered(self.get_queryset()).order_by("pk")
        return Response(collection(self.request, queryset, rel=self.rel, represent=self.represent))


class EntryPointView(OsdiView):
    permission_classes = [IsStaff]

    def get(self, request):
        links = {"self": link(request, "entry-point"), "curies": curies(request)}
        for rel, name in [
            ("osdi:people", "people"),
            ("osdi:petitions", "petitions"),
            ("osdi:tags", "tags"),
        ]:
            links[rel] = {**link(request, name), "title": f"The collection of {name}"}
        return Response(
            {
                "motd": MOTD,
                "vendor_name": "Coalition CRM",
                "product_name": "Coalition CRM",
                "osdi_version": OSDI_VERSION,
                "max_pagesize": MAX_PER_PAGE,
                "_links": links,
            }
        )


# --- people ----------------------------------------------------------------------------


class PeopleView(OsdiView):
    queryset = Contact.objects.all()
    rel = "osdi:people"

    def get(self, request):
        response = self.list_response()
        if self._details:
            rows = len(response.data["_embedded"][self.rel])
            audit_api_paging(user=request.user, what="contacts", rows=rows, query=request.GET)
        return response

    @property
    def _details(self):
        return self.request.user.has_perm(CONTACT_DETAILS_PERMISSION)

    def represent(self, row):
        return representations.person(row, self.request, details=self._details)


class PersonView(OsdiView):
    """One person, with e-mail and phone, as a contact's page and the REST API's detail
    show them to every staff role."""

    queryset = Contact.objects.all()

    def get(self, request, pk):
        return Response(representations.person(self.get_object(), request))


# --- petitions and signatures ------------------------------------------------------------

PETITION_KINDS = [Ask.Kind.STATEMENT, Ask.Kind.ENDORSEMENT]


def petitions():
    """Asks that collect signatures (not attendance), with what the public page counts."""
    counted = Q(signatures__status=Signature.Status.CONFIRMED) & Q(
        signatures__awaiting_verification=False
    )
    return (
        Ask.objects.filter(kind__in=PETITION_KINDS)
        .select_related("campaign")
        .annotate(total_signatures=Count("signatures", filter=counted))
    )


class PetitionsView(OsdiView):
    queryset = Ask.objects.all()
    rel = "osdi:petitions"

    def get_queryset(self):
        return petitions()

    def get(self, request):
        return self.list_response()

    def represent(self, row):
        return representations.petition(row, self.request)


class PetitionView(PetitionsView):
    def get(self, request, pk):
        return Response(self.represent(self.get_object()))


class SignaturesView(OsdiView):
    """A petition's signatures (every status, as the staff API lists them: a sync sees a
    withdrawal as a change of `coalition:status`)."""

    queryset = Signature.objects.all()
    rel = "osdi:signatures"

    def get_queryset(self):
        return Signature.objects.select_related("organisation")

    def petition(self):
        return get_object_or_404(petitions(), pk=self.kwargs["petition_pk"])

    def get(self, request, petition_pk):
        self.signatures = self.get_queryset().filter(ask=self.petition())
        return self.list_response()

    def list_response(self):
        queryset = self.filtered(self.signatures).order_by("pk")
        return Response(collection(self.request, queryset, rel=self.rel, represent=self.represent))

    def represent(self, row):
        return representations.signature(row, self.request)


class SignatureView(SignaturesView):
    def get(self, request, petition_pk, pk):
        signatures = self.get_queryset().filter(ask__kind__in=PETITION_KINDS)
        row = get_object_or_404(signatures, ask_id=petition_pk, pk=pk)
        return Response(self.represent(row))


class PersonSignaturesView(SignaturesView):
    def get(self, request, pk):
        contact = get_object_or_404(Contact, pk=pk)
        self.signatures = self.get_queryset().filter(contact=contact, ask__kind__in=PETITION_KINDS)
        return self.list_response()


# --- tags and taggings ---------------------------------------------------------------------

Tagging = Contact.tags.through


class TagsView(OsdiView):
    queryset = Tag.objects.all()
    rel = "osdi:tags"
    filter_fields = {}

    def get(self, request):
        return self.list_response()

    def represent(self, row):
        return representations.tag(row, self.request)


class TagView(TagsView):
    def get(self, request, pk):
        return Response(self.represent(self.get_object()))


class CanReadTaggings(BasePermission):
    """Who has which tag is about people: it takes reading tags and contacts."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_staff and user.has_perms(["crm.view_tag", "crm.view_contact"]))


class TaggingsView(OsdiView):
    permission_classes = [CanReadTaggings]
    rel = "osdi:taggings"
    filter_fields = {}

    def get_queryset(self):
        return Tagging.objects.filter(tag=get_object_or_404(Tag, pk=self.kwargs["tag_pk"]))

    def get(self, request, tag_pk):
        return self.list_response()

    def represent(self, row):
        return representations.tagging(row, self.request)


class TaggingView(TaggingsView):
    def get(self, request, tag_pk, pk):
        return Response(self.represent(get_object_or_404(self.get_queryset(), pk=pk)))
