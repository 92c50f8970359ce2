"""What every API view shares: permissions by role, pagination, throttles, errors.

Kept apart from the viewsets because REST framework's settings import these classes
while its views are being defined.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from rest_framework import pagination, permissions, status, throttling
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

DUPLICATE = "This conflicts with an existing record (a duplicate)."


class RolePermissions(permissions.DjangoModelPermissions):
    """Staff only, and each method needs the role's permission on the model: reading
    needs `view`, as on the staff pages."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }

    def has_permission(self, request, view):
        return bool(request.user and request.user.is_staff) and super().has_permission(
            request, view
        )


class Pagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class TokenRateThrottle(throttling.SimpleRateThrottle):
    """Each API token has its own budget, apart from its owner's session."""

    scope = "token"

    def get_cache_key(self, request, view):
        token = getattr(request, "auth", None)
        digest = getattr(token, "digest", None)
        if digest is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": digest[:32]}


def api_exception_handler(exc, context):
    """Domain errors from services and models become 400s naming the fields; a row the
    database refuses as a duplicate becomes 409."""
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"detail": exc.messages}
        exc = ValidationError(detail)
    if isinstance(exc, IntegrityError):
        return Response({"detail": DUPLICATE}, status=status.HTTP_409_CONFLICT)
    from rest_framework.views import exception_handler

    return exception_handler(exc, context)
