import pytest
from rest_framework.test import APIClient

from accounts.services import api_token_create
from tests.factories import make_user


@pytest.fixture
def api():
    """An API client acting for a person of a given role, through an API token."""

    def client_for(role="coordinator"):
        user = make_user(role=role)
        _, token = api_token_create(user=user, name=f"{role} script")
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
        client.user = user
        return client

    return client_for
