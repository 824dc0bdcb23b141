"""Offering queued interactions to agents, and the atomic accept / reject.

A ring-all queue offers an interaction to every agent of the queue who is available (Online and
connected), below their limit of open conversations, and has not rejected it. The other strategies
offer it to one agent at a time: a routing round (app/services/routing/dispatcher.py) picks who and
records it as the interaction's `offer`; only that agent may accept it until it moves on.
Accept is one find_one_and_update on status "queued": exactly one agent wins, whatever the race.
"""

import time
from datetime import timedelta

from bson import ObjectId
from pymongo import ReturnDocument
from redis.exceptions import RedisError

from app import jobs, queues
from app.db import get_db
from app.domain import messages as msgs
from app.realtime.push import agent_room, emit
from app.services import clock, config_cache
from app.services.access.access_rules import load_visible, queue_ids_of
from app.services.conversations import live, message_store
from app.services.errors import Conflict, Forbidden
from app.services.routing import capacity, hours, presence
from app.services.serialize import plain

RING_ALL = "ring_all"
LAST_ASSIGNED_KEY = "parley:routing:last-assigned"  # agent id → when they were last assigned (ms)
ACCEPT_LOCK_SECONDS = 5


def queue_agent_ids(queue_id):
    """The active agents of the queue (ids as strings), from the configuration cache."""
    if queue_id is None:
        return []
    return config_cache.cached(("queue-agents", queue_id), lambda: _active_members(queue_id))


def cached_queue(queue_id):
    """The queue's name, member agent ids, routing settings, business hours and waiting messages for
    the message path, from the configuration cache."""
    if queue_id is None:
        return None
    fields = {"name": 1, "agent_ids": 1, "routing": 1, "hours": 1, "waiting_messages": 1}
    return config_cache.cached(("queue", queue_id), lambda: get_db().queues.find_one({"_id": queue_id}, fields))


def _active_members(queue_id):
    queue = cached_queue(queue_id)
    if not queue or not queue.get("agent_ids"):
        return []
    active = get_db().users.find({"_id": {"$in": queue["agent_ids"]}, "active": True}, {"_id": 1})
    return [str(user["_id"]) for user in active]


def strategy_of(queue):
    return ((queue or {}).get("routing") or {}).get("strategy") or RING_ALL


def one_at_a_time(queue_id):
    """Whether the queue offers to one agent at a time (its routing rounds decide who)."""
    return queue_id is not None and strategy_of(cached_queue(queue_id)) != RING_ALL


def online_agent_ids(queue_id):
    """The queue's active agents who may be offered work now: Online and connected (ids as strings)."""
    members = queue_agent_ids(queue_id)
    available = presence.available(members)
    return [agent_id for agent_id in members if agent_id in available]


def offer_targets(interaction):
    """Agent ids (strings) who should see this interaction offered now: on a ring-all queue the
    available agents below their limit who have not rejected it; on the others, the one agent a
    routing round chose (the round itself tells them)."""
    queue_id = interaction.get("queue_id")
    if one_at_a_time(queue_id) or not hours.is_open(cached_queue(queue_id), clock.now()):
        return []  # a routing round offers it; a closed queue offers nothing until it opens
    rejected = {str(agent_id) for agent_id in interaction.get("rejected_by", [])}
    targets = [agent_id for agent_id in online_agent_ids(queue_id) if agent_id not in rejected]
    return below_limit(targets, cached_queue(queue_id))


def below_limit(agent_ids, queue):
    """The agents among `agent_ids` holding fewer open conversations than their limit in `queue`
    (no count at all when nobody has a limit: ring-all without limits works as it always did)."""
    limits = agent_limits(agent_ids, queue)
    if not any(limit is not None for limit in limits.values()):
        return list(agent_ids)
    counts = capacity.open_counts([agent_id for agent_id, limit in limits.items() if limit is not None])
    return [agent_id for agent_id in agent_ids if limits[agent_id] is None or counts[agent_id] < limits[agent_id]]


def agent_limits(agent_ids, queue):
    """{agent id (str): their limit in `queue` or None}."""
    own = {str(u["_id"]): u for u in _agent_docs(tuple(agent_ids))}
    return {agent_id: capacity.limit_of(own.get(agent_id), queue) for agent_id in agent_ids}


def _agent_docs(agent_ids):
    """The agents' own limits, from the configuration cache (an edit of an agent drops it)."""
    if not agent_ids:
        return []
    return config_cache.cached(
        ("agent-limits", agent_ids),
        lambda: list(get_db().users.find({"_id": {"$in": [object_id(a) for a in agent_ids]}}, {"max_open": 1})),
    )


def object_id(agent_id):
    """A user id as stored, from its string (ids inside the app are trusted: no NotFound as as_oid gives)."""
    return agent_id if isinstance(agent_id, ObjectId) else ObjectId(agent_id)


def route_soon():
    """Ask for a routing round (one job per Redis batch; rounds asked for meanwhile coalesce), when
    some queue offers to one agent at a time."""
    if one_at_a_time_queues():
        jobs.gather(jobs.ROUTE, "reasons", "changed")


def one_at_a_time_queues():
    """The queues whose strategy is not ring-all (configuration cache)."""
    return config_cache.cached(
        ("one-at-a-time-queues",),
        lambda: list(
            get_db().queues.find(
                {"routing.strategy": {"$in": ["round_robin", "least_recent", "fewest_open"]}},
                {"name": 1, "agent_ids": 1, "routing": 1},
            )
        ),
    )


def refresh_offers(agent_id):
    """Send the agent's sockets the whole list of what they are offered now (after their state or
    load changed: a Paused agent's cards go, a freed place brings waiting ones back)."""
    user = get_db().users.find_one({"_id": object_id(agent_id)}, {"role": 1})
    if user is not None and user.get("role") == "agent":
        emit("offers", {"interactions": waiting_for(user)}, agent_room(agent_id))


def card(interaction):
    """What an offer or a list row shows about an interaction."""
    fields = (
        "_id",
        "status",
        "account_id",
        "account_name",
        "queue_id",
        "queue_name",
        "contact_id",
        "contact",
        "agent_id",
        "agent_name",
        "direction",
        "created_at",
        "last_message",
        "unread",
        "window_expires_at",
        "window_expired",
        "tags",
        "disposition",
        "sentiment",
        "reopened_at",
        "acknowledged",
        "sla_breached_at",
        "seq",
        "queued_at",
        "offer",
    )
    return plain({field: interaction.get(field) for field in fields})


def waiting_for(agent):
    """What the agent is offered now: nothing unless available; on ring-all queues where they are
    below their limit, every waiting interaction they did not reject; on the others, those offered to
    them; none of a queue outside its business hours. Highest queue priority first, then longest waiting."""
    agent_id = str(agent["_id"])
    if agent_id not in presence.available([agent_id]):
        return []
    now = clock.now()
    queues_by_id = {queue_id: cached_queue(queue_id) for queue_id in queue_ids_of(agent["_id"])}
    queues_by_id = {queue_id: queue for queue_id, queue in queues_by_id.items() if hours.is_open(queue, now)}
    query = {
        "status": "queued",
        "is_open": True,
        "queue_id": {"$in": list(queues_by_id)},
        "rejected_by": {"$ne": agent["_id"]},
    }
    cursor = get_db().interactions.find(query, {"search_terms": 0}).sort("created_at", 1).limit(200)
    limits = {  # the agent's limit in each ring-all queue; their open conversations counted once
        queue_id: agent_limits([agent_id], queue)[agent_id]
        for queue_id, queue in queues_by_id.items()
        if strategy_of(queue) == RING_ALL
    }
    held = capacity.open_count(agent["_id"]) if any(limit is not None for limit in limits.values()) else 0
    ring_all_open = {queue_id for queue_id, limit in limits.items() if limit is None or held < limit}
    offered = [
        doc for doc in cursor if doc["queue_id"] in ring_all_open or str((doc.get("offer") or {}).get("agent_id")) == agent_id
    ]
    offered.sort(
        key=lambda doc: (
            -priority_of(queues_by_id.get(doc["queue_id"])),
            waiting_since(doc),
        )
    )
    return [card(doc) for doc in offered[:50]]


def priority_of(queue):
    return ((queue or {}).get("routing") or {}).get("priority") or 0


def waiting_since(interaction):
    """When the interaction joined its queue this time (older ones knew only when they began)."""
    return clock.aware(interaction.get("queued_at") or interaction.get("reopened_at") or interaction["created_at"])


def accept(actor, interaction_id):
    existing = load_visible(actor, interaction_id, {"search_terms": 0})
    if actor["role"] != "admin" and existing.get("queue_id") not in queue_ids_of(actor["_id"]):
        raise Forbidden("Only agents of this interaction's queue can accept it.")
    if actor["role"] == "admin":
        return take(actor, existing)
    with _accepting(actor["_id"]):
        _check_limit(actor, existing)
        return take(actor, existing, only_if_offered=one_at_a_time(existing.get("queue_id")))


def _check_limit(agent, interaction):
    limit = capacity.limit_of(agent, cached_queue(interaction.get("queue_id")))
    if limit is not None and capacity.open_count(agent["_id"]) >= limit:
        raise Conflict(f"You have {limit} open conversations, your limit: close one before accepting another.")


class _accepting:
    """One accept at a time per agent, so that two at once cannot both pass the limit check. Without
    Redis the limit is checked without it (an accept must not fail because Redis blinked)."""

    def __init__(self, agent_id):
        self.key = f"parley:routing:accepting:{agent_id}"
        self.held = False

    def __enter__(self):
        deadline = time.monotonic() + ACCEPT_LOCK_SECONDS
        try:
            while not queues.get_redis().set(self.key, 1, nx=True, ex=ACCEPT_LOCK_SECONDS):
                if time.monotonic() > deadline:
                    raise Conflict("Another accept of yours is in progress; try again.")
                time.sleep(0.02)
            self.held = True
        except RedisError:
            pass
        return self

    def __exit__(self, *exc):
        if self.held:
            try:
                queues.get_redis().delete(self.key)
            except RedisError:
                pass


def take(actor, existing, only_if_offered=False, line=None):
    """Assign the waiting interaction to `actor` (accept), atomically: exactly one wins. With
    `only_if_offered`, only while it is offered to them. `line`: a system line to store with it."""
    targets = offer_targets(existing)
    offer = existing.get("offer") or {}
    if offer.get("agent_id"):
        targets = list(dict.fromkeys([*targets, str(offer["agent_id"])]))
    now = clock.now()
    filter_ = {"_id": existing["_id"], "status": "queued", "is_open": True}
    if only_if_offered:
        filter_["offer.agent_id"] = actor["_id"]
    changes = {
        "status": "open",
        "agent_id": actor["_id"],
        "agent_name": actor["name"],
        "accepted_at": now,
        "accepted_by": {
            "id": actor["_id"],
            "name": actor["name"],
        },  # agent_name changes on a transfer
        "updated_at": now,
        "unread": 0,
        "offer": None,
    }
    update = {
        "$set": changes,
        "$inc": {"seq": 1, **({"messages_len": 1} if line else {})},
    }
    doc = get_db().interactions.find_one_and_update(
        filter_,
        update,
        projection={"search_terms": 0},
        return_document=ReturnDocument.AFTER,
    )
    if doc is not None and line is not None:
        message_store.append(doc, line)
    if doc is None:
        current = get_db().interactions.find_one({"_id": existing["_id"]}, {"agent_name": 1, "status": 1, "offer": 1})
        if current and current.get("status") == "closed":
            raise Conflict("This interaction is closed.")
        if current and current.get("status") == "queued":
            holder = (current.get("offer") or {}).get("agent_name")
            raise Conflict(f"This conversation is offered to {holder} now." if holder else "Not offered to you yet: wait for it.")
        raise Conflict(f"Already assigned to {current.get('agent_name') or 'another agent'}.")
    get_db().interactions.update_one(
        {"_id": doc["_id"], "first_agent_id": None},
        {"$set": {"first_agent_id": actor["_id"]}},
    )
    _note_assigned(actor["_id"])
    payload = {
        "agent": {"id": str(actor["_id"]), "name": actor["name"]},
        "interaction": card(doc),
    }
    if line is not None:
        payload["message"] = plain(msgs.with_position(line, doc))
    live.publish(doc, "assigned", payload, extra_agent_ids=targets)
    if limited(actor, doc):
        refresh_offers(actor["_id"])  # at the limit now: their other offers go
    return doc


def limited(agent, interaction):
    return capacity.limit_of(agent, cached_queue(interaction.get("queue_id"))) is not None


def _note_assigned(agent_id):
    """Remember when the agent was last assigned, for the least-recent strategy."""
    try:
        queues.get_redis().hset(LAST_ASSIGNED_KEY, str(agent_id), int(clock.now().timestamp() * 1000))
    except RedisError:
        pass  # least-recent then treats them as assigned long ago


def last_assigned(agent_ids):
    """{agent id (str): when last assigned, in ms (0: never or unknown)}."""
    ids = [str(agent_id) for agent_id in agent_ids]
    if not ids:
        return {}
    try:
        found = queues.get_redis().hmget(LAST_ASSIGNED_KEY, ids)
    except RedisError:
        found = [None] * len(ids)
    return {agent_id: int(value or 0) for agent_id, value in zip(ids, found, strict=True)}


def reject(actor, interaction_id):
    existing = load_visible(actor, interaction_id, {"search_terms": 0})
    doc = get_db().interactions.find_one_and_update(
        {
            "_id": existing["_id"],
            "status": "queued",
            "is_open": True,
            "rejected_by": {"$ne": actor["_id"]},
        },
        {
            "$addToSet": {"rejected_by": actor["_id"]},
            "$set": {"updated_at": clock.now()},
            "$inc": {"seq": 1},
        },
        projection={"search_terms": 0},
        return_document=ReturnDocument.AFTER,
    )
    if doc is None:
        raise Conflict("This interaction is no longer waiting to be accepted.")
    everyone_said_no = set(queue_agent_ids(doc.get("queue_id"))) <= {str(a) for a in doc["rejected_by"]}
    if everyone_said_no:
        get_db().interactions.update_one({"_id": doc["_id"]}, {"$set": {"all_rejected_at": clock.now()}})
    live.publish(
        doc,
        "offer_withdrawn",
        {"agent_id": str(actor["_id"]), "interaction": card(doc)},
        extra_agent_ids=[str(actor["_id"])],
    )
    if (doc.get("offer") or {}).get("agent_id") == actor["_id"]:
        # A rejection moves a one-at-a-time offer on at once: the round skips whoever rejected it.
        get_db().interactions.update_one(
            {"_id": doc["_id"], "offer.agent_id": actor["_id"]},
            {"$set": {"offer": None}},
        )
        route_soon()
    return doc


def reoffer_rejected(delay_seconds):
    """Offer again, to everyone, what every agent rejected a while ago. Returns how many."""
    cutoff = clock.now() - timedelta(seconds=delay_seconds)
    count = 0
    for doc in get_db().interactions.find({"status": "queued", "all_rejected_at": {"$lte": cutoff}}, {"_id": 1}):
        updated = get_db().interactions.find_one_and_update(
            {
                "_id": doc["_id"],
                "status": "queued",
                "all_rejected_at": {"$lte": cutoff},
            },
            {"$set": {"rejected_by": [], "all_rejected_at": None}, "$inc": {"seq": 1}},
            projection={"search_terms": 0},
            return_document=ReturnDocument.AFTER,
        )
        if updated:
            live.publish(
                updated,
                "offer",
                {"interaction": card(updated)},
                extra_agent_ids=offer_targets(updated),
            )
            count += 1
            if one_at_a_time(updated.get("queue_id")):
                route_soon()
    return count
