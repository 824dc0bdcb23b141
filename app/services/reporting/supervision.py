"""The supervisors' live view: each agent's presence, time in state and load against capacity; each
queue's waiting customers, longest wait, agents by presence, open interactions and service level.

A refresh costs the same bounded reads whatever the number of agents and queues: the queues, the
active agents, their presence (Redis), their open counts (one aggregation), the open interactions and
the interactions started today; the rest is computed in Python. "Today" is the UTC day.
"""

from collections import Counter
from datetime import UTC

from app.db import get_db
from app.services import clock
from app.services.reading.interaction_list import aware
from app.services.routing import capacity, presence

# The first-response target of a queue that sets none (`routing.first_response_minutes`).
DEFAULT_TARGET_SECONDS = 60
WAITING_SHOWN = 50  # waiting interactions listed per queue, longest waiting first
OFFLINE = {"state": "offline", "reason": None, "since": None}
OPEN_FIELDS = {
    "status": 1, "queue_id": 1, "created_at": 1, "queued_at": 1, "reopened_at": 1, "handoff.at": 1, "transfers": 1,
    "contact": 1, "last_message.preview": 1,
}
TODAY_FIELDS = {
    "status": 1, "is_open": 1, "queue_id": 1, "direction": 1, "created_at": 1, "first_response_at": 1, "handoff.at": 1,
    "assistant.started_at": 1,
}


def overview():
    """Everything the Agents and Queues panels show, JSON-ready apart from ids and datetimes."""
    db = get_db()
    now = clock.now()
    day_start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    # every queue (a small collection, read whole), in name order
    queue_docs = sorted(db.queues.find({}, {"name": 1, "agent_ids": 1, "routing": 1}), key=lambda queue: queue["name"])
    agent_docs = list(db.users.find({"role": "agent", "active": True}, {"name": 1, "max_open": 1}, sort=[("name", 1)]))
    ids = [str(agent["_id"]) for agent in agent_docs]
    agents = agent_rows(agent_docs, queue_docs, presence.states(ids), capacity.open_counts(ids))
    open_docs = db.interactions.find({"is_open": True}, OPEN_FIELDS)
    today_docs = db.interactions.find({"created_at": {"$gte": day_start}}, TODAY_FIELDS)
    return {
        "generated_at": now,
        "agents": agents,
        "queues": queue_rows(queue_docs, agent_docs, agents, _by_queue(open_docs), _by_queue(today_docs), now),
    }


def _by_queue(docs):
    grouped = {}
    for doc in docs:
        grouped.setdefault(doc.get("queue_id"), []).append(doc)
    return grouped


def _members(queue):
    return {str(agent_id) for agent_id in queue.get("agent_ids") or []}


def agent_rows(agent_docs, queue_docs, states, counts):
    """One row per active agent: presence, open interactions, capacity and queues."""
    rows = []
    for agent in agent_docs:
        agent_id = str(agent["_id"])
        theirs = [queue for queue in queue_docs if agent_id in _members(queue)]
        rows.append(
            {
                "id": agent_id,
                "name": agent["name"],
                **(states.get(agent_id) or OFFLINE),
                "open": counts.get(agent_id, 0),
                "limit": most_held(agent, theirs),
                "queues": [queue["name"] for queue in theirs],
            }
        )
    return rows


def most_held(agent, queues):
    """The most open interactions `agent` may hold: beyond it none of their queues offers them more.
    The largest of their queues' limits, None when one of them has none."""
    limits = [capacity.limit_of(agent, queue) for queue in queues] or [capacity.limit_of(agent, {})]
    return None if None in limits else max(limits)


def queue_rows(queue_docs, agent_docs, agents, open_by_queue, today_by_queue, now):
    """Per queue: waiting (and who), longest wait, its active agents by presence, open, service level."""
    by_id = {str(agent["_id"]): agent for agent in agent_docs}
    rows = []
    for queue in queue_docs:
        members = [row for row in agents if row["id"] in _members(queue)]
        mine = open_by_queue.get(queue["_id"], [])
        waiting = sorted((doc for doc in mine if doc["status"] == "queued"), key=waiting_since)
        oldest = waiting_since(waiting[0]) if waiting else None
        presence_counts = Counter(row["state"] for row in members)
        rows.append(
            {
                "id": str(queue["_id"]),
                "name": queue["name"],
                "waiting": len(waiting),
                "oldest_since": oldest,
                "longest_wait": (now - oldest).total_seconds() if oldest else None,
                "agents": {state: presence_counts.get(state, 0) for state in presence.STATES},
                "open": sum(1 for doc in mine if doc["status"] == "open"),
                "service_level": service_level(today_by_queue.get(queue["_id"], []), target_seconds(queue), now),
                "members": [{"id": row["id"], "limit": capacity.limit_of(by_id[row["id"]], queue)} for row in members],
                "waiting_list": [waiting_row(doc) for doc in waiting[:WAITING_SHOWN]],
            }
        )
    return rows


def waiting_row(doc):
    contact = doc.get("contact") or {}
    return {
        "id": str(doc["_id"]),
        "contact": {"name": contact.get("name"), "phone": contact.get("phone")},
        "since": waiting_since(doc),
        "preview": (doc.get("last_message") or {}).get("preview"),
    }


def waiting_since(doc):
    """When a waiting interaction entered its queue this time: `queued_at` where routing records it;
    otherwise the latest of being reopened, handed over by the assistant or transferred to the queue;
    otherwise its creation."""
    if doc.get("queued_at"):
        return aware(doc["queued_at"])
    to_queue = [entry.get("at") for entry in doc.get("transfers") or [] if entry.get("to_queue")]
    entered = [aware(at) for at in (doc.get("reopened_at"), (doc.get("handoff") or {}).get("at"), *to_queue) if at]
    return max(entered) if entered else aware(doc["created_at"])


def target_seconds(queue):
    """The queue's first-response target in seconds (`routing.first_response_minutes`), and whether
    it is the default."""
    minutes = (queue.get("routing") or {}).get("first_response_minutes")
    return (DEFAULT_TARGET_SECONDS, True) if minutes is None else (minutes * 60, False)


def service_level(docs, target, now):
    """Today's service level of a queue, over `docs`: its interactions customers started today.

    Counted are those that waited for an agent: started by the customer, not left to the AI assistant
    alone. The clock starts when one began waiting for an agent (the assistant's hand-over, else its
    creation) and stops at the first agent message (`first_response_at`). With `target` the queue's
    first-response target:

        rate = answered within target / (answered + abandoned + waiting beyond target)

    answered: has an agent message (within target or not); abandoned: closed without one; waiting
    beyond target: open, no agent message yet, and the target has passed. One still within its
    target with no answer yet is left out until it is decided. `rate` is None when none counts yet.
    """
    seconds, default = target
    within = late = abandoned = beyond = pending = 0
    for doc in docs:
        if doc.get("direction") == "outbound" or (doc.get("assistant") and not doc.get("handoff")):
            continue
        start = aware((doc.get("handoff") or {}).get("at") or doc["created_at"])
        if doc.get("first_response_at"):
            if (aware(doc["first_response_at"]) - start).total_seconds() <= seconds:
                within += 1
            else:
                late += 1
        elif not doc.get("is_open"):
            abandoned += 1
        elif (now - start).total_seconds() > seconds:
            beyond += 1
        else:
            pending += 1
    counted = within + late + abandoned + beyond
    return {
        "target_seconds": seconds,
        "default_target": default,
        "within": within,
        "answered": within + late,
        "abandoned": abandoned,
        "waiting_beyond": beyond,
        "pending": pending,
        "rate": round(within / counted, 3) if counted else None,
    }
