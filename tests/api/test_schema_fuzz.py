"""Property-based run of the whole API against its own OpenAPI schema (schemathesis):
whatever a client sends, no 5xx, and no route answers without authentication."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import ignored_auth, not_a_server_error
from schemathesis.config import SchemathesisConfig

from accounts.services import api_token_create
from config.wsgi import application
from outreach.models import Stage
from tests.factories import make_ask, make_contact, make_outreach, make_user

# Only the fuzzing phase: the coverage phase would enumerate every enum value (250
# countries on several lists) and take minutes per route.
CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": False}, "examples": {"enabled": False}}}
)
schema = schemathesis.openapi.from_dict(
    SchemaGenerator().get_schema(request=None, public=True), config=CONFIG
)
schema.app = application


@pytest.fixture
def keep_the_test_connection():
    """Calling the WSGI app directly sends request_started/finished, whose handler closes
    the database connection — and with it the test's transaction (PostgreSQL). Django's
    test client switches that handler off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(db, keep_the_test_connection):
    """An admin's token, and a few records for the generated requests to find."""
    ask = make_ask(slug="open-letter")
    make_outreach(ask=ask, stage=Stage.INVITED)
    make_contact(email="zoe@example.org")
    _, token = api_token_create(user=make_user(role="admin"), name="fuzz")
    return token


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=3,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_never_errors_and_never_skips_authentication(case, token):
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        checks=[not_a_server_error, ignored_auth],
    )
