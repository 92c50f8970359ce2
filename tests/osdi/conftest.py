import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create
from tests.factories import make_user

BASE = "/api/osdi/v1/"


@pytest.fixture
def osdi():
    """An OSDI client for a person of a given role, sending its API token the OSDI way
    (`OSDI-API-Token`)."""

    def client_for(role="coordinator", **token_settings):
        user = make_user(role=role)
        _, token = api_token_create(user=user, name=f"{role} OSDI sync", **token_settings)
        client = APIClient()
        client.credentials(HTTP_OSDI_API_TOKEN=token)
        client.user = user
        client.token = token
        return client

    return client_for
