"""The API's session authentication, held to the pages' rule (accounts.two_factor): a
session that gave its password but not yet its code is not signed in here either."""

from drf_spectacular.authentication import SessionScheme
from rest_framework.authentication import SessionAuthentication

from accounts import two_factor


class SignedInSessionAuthentication(SessionAuthentication):
    def authenticate(self, request):
        result = super().authenticate(request)
        if result is None or not two_factor.is_signed_in(request._request):
            return None  # anonymous to the API: 401 or 403, never the data
        return result


class SignedInSessionScheme(SessionScheme):
    """The OpenAPI schema describes it as the session cookie it is."""

    target_class = SignedInSessionAuthentication
