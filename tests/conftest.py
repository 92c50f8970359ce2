import pytest
from django.core.cache import cache

from tests.factories import make_user


@pytest.fixture(autouse=True)
def fresh_cache():
    """Each test starts with an empty cache: rate-limit counters and cached duplicate
    lists must not leak from one test into the next."""
    cache.clear()
    yield
    cache.clear()


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
