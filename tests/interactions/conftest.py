import pytest

from app.services import clock
from tests.interactions.support import make_team


@pytest.fixture(autouse=True)
def real_clock():
    clock.reset()
    yield
    clock.reset()


@pytest.fixture
def team(app):
    return make_team()
