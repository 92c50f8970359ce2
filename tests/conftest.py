import pytest

from tests.factories import make_user


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
