import pytest

from tests.support.builders import make_user
from tests.support.engine import make_queue, make_sandbox_account


@pytest.fixture
def team(app):
    """Two agents in a queue fed by a sandbox account, and one agent of another queue."""
    alice, bob, carol = make_user("agent", name="Alice"), make_user("agent", name="Bob"), make_user("agent", name="Carol")
    queue = make_queue([alice["_id"], bob["_id"]])
    make_queue([carol["_id"]])
    account = make_sandbox_account(queue, allow_transfer=True)
    return {"alice": alice, "bob": bob, "carol": carol, "queue": queue, "account": account}
