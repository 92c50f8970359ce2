import pytest
from django.db import connection

from tests.factories import make_user


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """knox's migrations create its own token table even though accounts.ApiToken
    replaces it (KNOX_TOKEN_MODEL). Unused, it still references auth_user, and PostgreSQL
    refuses to empty auth_user around it when a transactional test (live server, threads)
    flushes the database. The test database does without it."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS knox_authtoken")


@pytest.fixture
def staff(db):
    return make_user("campaigner", first_name="Cam", last_name="Paigner")


@pytest.fixture
def superuser(db):
    return make_user("admin", is_superuser=True)


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client
