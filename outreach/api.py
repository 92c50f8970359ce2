"""API for reports: the growth series, for staff signed in (session authentication).

Mounted at /api/v1/reports/ by config/urls.py; self-contained until the API router
exists.
"""

from django.urls import path
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAdminUser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from outreach import reports
from outreach.models import Ask

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

    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAdminUser]  # is_staff
    # JSON only; the API router of a later issue decides about browsable pages.
    renderer_classes = [JSONRenderer]

    def get(self, request):
        query = GrowthQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        growth = reports.growth_series(
            ask=data["ask"], by=data["by"], start=data.get("from"), end=data.get("to")
        )
        return Response(growth.as_dict())


app_name = "reports-api"
urlpatterns = [path("growth/", GrowthSeriesView.as_view(), name="growth")]
