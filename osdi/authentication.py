"""OSDI clients send their key in an `OSDI-API-Token` header; here it is one of the
existing personal API tokens (accounts.ApiToken), checked as knox checks it."""

from knox.auth import TokenAuthentication

OSDI_HEADER = "HTTP_OSDI_API_TOKEN"


class OsdiTokenAuthentication(TokenAuthentication):
    """`OSDI-API-Token: <token>`. Without that header the request is left to the other
    schemes (`Authorization: Token <token>`, the signed-in session)."""

    def authenticate(self, request):
        token = request.META.get(OSDI_HEADER, "").strip()
        if not token:
            return None
        return self.authenticate_credentials(token.encode())
