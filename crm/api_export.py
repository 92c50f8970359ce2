"""The API's export action, shared by the contact, organisation, outreach and signature
viewsets (apart from crm.api_base, which REST framework's settings import early)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError

from crm import exporting

EXPORT_FORBIDDEN = "Exports need the export permission (coordinator or admin role)."


class ExportMixin:
    """GET <list>/export/?file_format=csv|xlsx&<the list's filters>: every matching row
    as a file, through the same neutralising export resource as the staff lists; needs
    crm.export_records, and is logged on the audit logger."""

    export_kind = ""

    @extend_schema(
        parameters=[
            OpenApiParameter("file_format", str, enum=list(exporting.FORMATS), default="csv")
        ],
        responses={
            (200, "text/csv"): OpenApiTypes.BINARY,
            (200, exporting.MEDIA_TYPES["xlsx"]): OpenApiTypes.BINARY,
        },
    )
    @action(detail=False, methods=["get"], pagination_class=None)
    def export(self, request):
        """The filtered rows as CSV or XLSX (formula-looking cells prefixed with ')."""
        if not request.user.has_perm(exporting.PERMISSION):
            raise PermissionDenied(EXPORT_FORBIDDEN)
        file_format = request.query_params.get("file_format", "csv")
        if file_format not in exporting.FORMATS:
            raise ValidationError({"file_format": "Choose csv or xlsx."})
        query = request.query_params.copy()
        query.pop("file_format", None)
        return exporting.export_response(
            kind=self.export_kind,
            rows=self.filter_queryset(self.get_queryset()),
            file_format=file_format,
            user=request.user,
            query=query,
            via="api",
        )
