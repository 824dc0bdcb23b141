import pytest

from tests.interactions.support import make_team


@pytest.fixture
def team(app):
    return make_team()
