"""The waiting-customer job, the estimate and the opening job query only through declared indexes."""

from datetime import timedelta

from app.services import clock
from app.services.conversations import routing
from app.services.routing import opening, waiting
from tests.engine.test_index_coverage import ENGINE_COLLECTIONS
from tests.routing.support import MONDAY_9, SATURDAY_10, customer_writes, waiting_queue
from tests.support.builders import make_user
from tests.support.query_shapes import embedded_only, recording, uncovered


@embedded_only
def test_waiting_customers_are_served_by_declared_indexes(app, client):
    alice = make_user("agent", name="Alice")
    queue, account = waiting_queue([alice], hours={"out_of_hours_message": "Closed."}, received=True, position=True,
                                   no_agents=True)
    clock.freeze(SATURDAY_10)
    with recording(ENGINE_COLLECTIONS) as shapes:
        closed = customer_writes(client, account, "+447700900111")
        opening.dispatch_opened()
        clock.freeze(MONDAY_9 + timedelta(minutes=1))
        opening.dispatch_opened()
        routing.accept(alice, closed["_id"])
        routing.waiting_for(alice)
        customer_writes(client, account, "+447700900222")
        waiting.customer_wrote(closed["_id"], "appended")
    assert len(shapes) > 10
    assert uncovered(shapes) == []
