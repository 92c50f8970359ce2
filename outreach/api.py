"""REST API v1 for campaigns, asks, outreach, activities, signatures and the report
series.

Pipeline moves, signatures and targets go through the services, so the API keeps the
same invariants and writes the same activities as the staff pages.
"""

from django.db import transaction
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from crm.api import CountryField, StaffViewSet
from crm.api_base import RolePermissions
from crm.api_export import ExportMixin
from crm.models import Contact, Organisation
from outreach import reports
from outreach.filters import (
    ActivityFilter,
    AskFilter,
    CampaignFilter,
    OutreachFilter,
    SignatureFilter,
)
from outreach.models import Activity, Ask, Campaign, Outreach, Signature, Stage
from outreach.services import (
    outreach_add_targets,
    outreach_change_stage,
    outreach_log_activity,
    outreach_set_contact,
    signature_record,
    signature_withdraw,
)


class CampaignSerializer(serializers.ModelSerializer):
    class Meta:
        model = Campaign
        fields = ["id", "name", "slug", "description", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]


class AskSerializer(serializers.ModelSerializer):
    class Meta:
        model = Ask
        fields = [
            "id",
            "campaign",
            "title",
            "slug",
            "kind",
            "language",
            "statement",
            "opens_on",
            "closes_on",
            "target_count",
            "signers",
            "is_published",
            "first_reminder_after",
            "reminder_every",
            "max_reminders",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["created_at", "updated_at"]

    def validate(self, attrs):
        opens = attrs.get("opens_on", getattr(self.instance, "opens_on", None))
        closes = attrs.get("closes_on", getattr(self.instance, "closes_on", None))
        if opens and closes and closes < opens:
            raise serializers.ValidationError({"closes_on": "An ask cannot close before it opens."})
        return attrs


class TargetsSerializer(serializers.Serializer):
    organisations = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Organisation.objects.all(), required=False, default=list
    )
    contacts = serializers.PrimaryKeyRelatedField(
        many=True, queryset=Contact.objects.all(), required=False, default=list
    )
    owner = serializers.PrimaryKeyRelatedField(
        queryset=Outreach._meta.get_field("owner").related_model.objects.filter(is_staff=True),
        required=False,
        allow_null=True,
        default=None,
    )
    stage = serializers.ChoiceField(
        choices=[Stage.PROSPECT, Stage.INVITED], required=False, default=Stage.PROSPECT
    )


class OutreachSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outreach
        fields = [
            "id",
            "ask",
            "organisation",
            "contact",
            "owner",
            "stage",
            "stage_changed_at",
            "invited_at",
            "next_follow_up_on",
            "follow_up_count",
            "notes",
            "created_at",
            "updated_at",
        ]
        # The stage moves only through the change-stage action (the pipeline rules).
        read_only_fields = [
            "ask",
            "organisation",
            "stage",
            "stage_changed_at",
            "invited_at",
            "follow_up_count",
            "created_at",
            "updated_at",
        ]


class ChangeStageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class ActivitySerializer(serializers.ModelSerializer):
    LOGGABLE = [
        Activity.Kind.CALL,
        Activity.Kind.MEETING,
        Activity.Kind.REPLY,
        Activity.Kind.NOTE,
    ]
    kind = serializers.ChoiceField(choices=[(k.value, k.label) for k in LOGGABLE])

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "occurred_at",
            "actor",
            "outreach",
            "organisation",
            "contact",
            "from_stage",
            "to_stage",
            "summary",
        ]
        read_only_fields = ["actor", "from_stage", "to_stage"]


class SignatureSerializer(serializers.ModelSerializer):
    country = CountryField(required=False, allow_blank=True)

    class Meta:
        model = Signature
        fields = [
            "id",
            "ask",
            "organisation",
            "contact",
            "display_name",
            "role",
            "affiliation_text",
            "country",
            "signed_at",
            "source",
            "public",
            "status",
            "withdrawn_at",
            "status_reason",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["withdrawn_at", "status_reason", "created_at", "updated_at"]
        extra_kwargs = {
            "display_name": {"required": False},
            "signed_at": {"required": False},
            "status": {"default": Signature.Status.CONFIRMED},
        }

    def validate_status(self, value):
        if value not in Signature.LIVE_STATUSES:
            raise serializers.ValidationError(
                "A new signature is pending or confirmed; withdraw one with the withdraw action."
            )
        return value


class WithdrawSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CampaignViewSet(StaffViewSet):
    queryset = Campaign.objects.all()
    serializer_class = CampaignSerializer
    filterset_class = CampaignFilter


class CanAddTargets(BasePermission):
    """Adding partners to an ask's pipeline creates outreach entries, as the bulk action
    on the staff lists does: it needs outreach.add_outreach, not the right to edit asks."""

    def has_permission(self, request, view):
        user = request.user
        return bool(
            user
            and user.is_staff
            and user.has_perms(["outreach.view_ask", "outreach.add_outreach"])
        )


class AskViewSet(StaffViewSet):
    """OSDI: petitions."""

    queryset = Ask.objects.all()
    serializer_class = AskSerializer
    filterset_class = AskFilter

    @action(
        detail=True,
        methods=["post"],
        serializer_class=TargetsSerializer,
        permission_classes=[CanAddTargets],
    )
    def targets(self, request, pk=None):
        """Add organisations and individuals to this ask's pipeline (existing ones are
        skipped and counted)."""
        ask = self.get_object()
        data = self._validated(request, TargetsSerializer)
        result = outreach_add_targets(ask=ask, by=request.user, **data)
        return Response(
            {"added": result.added_count, "skipped": result.skipped},
            status=status.HTTP_201_CREATED if result.added_count else status.HTTP_200_OK,
        )

    def _validated(self, request, serializer_class):
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data


class OutreachViewSet(
    ExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    viewsets.GenericViewSet,
):
    """Pipeline entries. New ones come through POST /asks/{id}/targets/."""

    permission_classes = [RolePermissions]
    queryset = Outreach.objects.all()
    serializer_class = OutreachSerializer
    filterset_class = OutreachFilter
    export_kind = "outreach"

    @transaction.atomic
    def perform_update(self, serializer):
        # The contact person changes through its service (an organisation's contact only).
        if "contact" in serializer.validated_data:
            contact = serializer.validated_data.pop("contact")
            outreach_set_contact(
                outreach=serializer.instance, contact=contact, by=self.request.user
            )
            serializer.instance.refresh_from_db()
        serializer.save()

    @action(
        detail=True,
        methods=["post"],
        url_path="change-stage",
        serializer_class=ChangeStageSerializer,
    )
    def change_stage(self, request, pk=None):
        """Move the entry to another stage; moves the pipeline does not allow are 400."""
        entry = self.get_object()
        serializer = ChangeStageSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        entry = outreach_change_stage(
            outreach=entry,
            stage=serializer.validated_data["stage"],
            note=serializer.validated_data["note"],
            by=request.user,
        )
        return Response(OutreachSerializer(entry).data)


class ActivityViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """The timeline. Calls, meetings, replies and notes may be logged; the other kinds
    are written by the actions they record."""

    permission_classes = [RolePermissions]
    queryset = Activity.objects.all()
    serializer_class = ActivitySerializer
    filterset_class = ActivityFilter

    def perform_create(self, serializer):
        # The same service as the timeline's form: the rules live there.
        data = dict(serializer.validated_data)
        serializer.instance = outreach_log_activity(
            by=self.request.user, at=data.pop("occurred_at", None), **data
        )


class SignatureViewSet(
    ExportMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    viewsets.GenericViewSet,
):
    """OSDI: signatures. Recording a signer again updates their signature (200) rather
    than adding one (201)."""

    permission_classes = [RolePermissions]
    queryset = Signature.objects.all()
    serializer_class = SignatureSerializer
    filterset_class = SignatureFilter
    export_kind = "signatures"

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        with transaction.atomic():
            existed = self._live_signature_exists(data)
            signature = signature_record(by=request.user, **data)
        return Response(
            SignatureSerializer(signature).data,
            status=status.HTTP_200_OK if existed else status.HTTP_201_CREATED,
        )

    @action(detail=True, methods=["post"], serializer_class=WithdrawSerializer)
    def withdraw(self, request, pk=None):
        """Withdraw the signature: it leaves every public output at once."""
        serializer = WithdrawSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        signature = signature_withdraw(
            signature=self.get_object(), by=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(SignatureSerializer(signature).data)

    @staticmethod
    def _live_signature_exists(data):
        signatures = Signature.objects.live().filter(ask=data["ask"])
        if data.get("organisation"):
            return signatures.filter(organisation=data["organisation"]).exists()
        return signatures.filter(organisation__isnull=True, contact=data.get("contact")).exists()


# --- reports ---------------------------------------------------------------------------


class CanReadReports(BasePermission):
    """Reports count signatures: staff who may read signatures may read them."""

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_staff and user.has_perm("outreach.view_signature"))


UNKNOWN_ASK = "No ask with the slug “{slug}”."
RANGE_BACKWARDS = "“from” must be on or before “to”."


class GrowthQuerySerializer(serializers.Serializer):
    ask = serializers.SlugField(help_text="The ask's slug.")
    by = serializers.ChoiceField(choices=reports.PERIODS, default=reports.DAY)

    def get_fields(self):
        # "from" is a Python keyword, so these two are added by name.
        fields = super().get_fields()
        fields["from"] = serializers.DateField(required=False, help_text="YYYY-MM-DD")
        fields["to"] = serializers.DateField(required=False, help_text="YYYY-MM-DD")
        return fields

    def validate_ask(self, slug):
        try:
            return Ask.objects.get(slug=slug)
        except Ask.DoesNotExist:
            raise serializers.ValidationError(UNKNOWN_ASK.format(slug=slug)) from None

    def validate(self, data):
        if data.get("from") and data.get("to") and data["from"] > data["to"]:
            raise serializers.ValidationError({"from": RANGE_BACKWARDS})
        return data


class GrowthSeriesView(APIView):
    """GET ?ask=SLUG&by=day|week&from=YYYY-MM-DD&to=YYYY-MM-DD: the same series as
    `manage.py report_growth`, with totals."""

    permission_classes = [CanReadReports]
    renderer_classes = [JSONRenderer]

    @extend_schema(
        parameters=[GrowthQuerySerializer],
        responses={200: OpenApiTypes.OBJECT},
        description="Signatories per day or week: new, cumulative, organisations, individuals.",
    )
    def get(self, request):
        query = GrowthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        growth = reports.growth_series(
            ask=data["ask"], by=data["by"], start=data.get("from"), end=data.get("to")
        )
        return Response(growth.as_dict())
