"""Routing rounds: who of a one-at-a-time queue's agents is offered each waiting interaction.

A round reads the waiting interactions of the queues that offer to one agent at a time (highest
queue priority first, then longest waiting), the available agents (Online and connected) and their
load (open conversations plus offers they hold), and gives each interaction without a live offer
to the agent its queue's strategy picks among those below their limit who have not passed it:

- round_robin: the next agent after the one the queue offered to last (the queue's memory);
- least_recent: the agent assigned a conversation longest ago;
- fewest_open: the agent with the lightest load (ties: least recent).

An offer lasts the queue's offer timeout. One that ran out, or whose agent is no longer available,
moves on: a timed-out agent is skipped until every eligible agent had their turn, then the turns
start again. A rejection skips that agent for good (as on ring-all queues). The offer is the
interaction's `offer` field, set by an atomic update guarded by the previous one, so a round that
raced with an accept or another round changes nothing.

Rounds run one at a time across every process (a Redis lock): capacity spans queues, and two rounds
at once could both give an agent's last place away. A round asked for while another runs is not
lost: the runner does another one.
"""

import secrets
from datetime import timedelta

from pymongo import ReturnDocument
from redis.exceptions import RedisError

from app import queues
from app.db import get_db
from app.domain.shapes import DEFAULT_OFFER_TIMEOUT
from app.services import clock
from app.services.conversations import live
from app.services.conversations import routing as offers
from app.services.routing import agent_status, capacity, hours, presence

LOCK_KEY = "parley:routing:round"
AGAIN_KEY = "parley:routing:again"
ROUND_ROBIN_KEY = "parley:routing:round-robin"  # queue id → the agent it offered to last
LOCK_SECONDS = 30
ROUND_LIMIT = 500  # waiting interactions one round looks at (the longest waiting first)


def route():
    """Run routing rounds until nobody asked for another meanwhile; returns the offers made."""
    redis = queues.get_redis()
    redis.set(AGAIN_KEY, 1, ex=LOCK_SECONDS)
    made = 0
    while redis.exists(AGAIN_KEY):
        token = secrets.token_hex(8)
        if not redis.set(LOCK_KEY, token, nx=True, ex=LOCK_SECONDS):
            return made  # the round running now sees the request and does another
        try:
            while redis.delete(AGAIN_KEY):
                made += run_round()
        finally:
            queues.run_script(queues.RELEASE_IF_MINE, [LOCK_KEY], [token])
    return made


def dispatch_queue(queue_id):
    """Offer again what waits in the queue (when its business hours begin): a ring-all queue's
    waiting interactions go to its available agents, a one-at-a-time queue gets a routing round.
    Returns how many ring-all offers were made (the round counts its own)."""
    if offers.one_at_a_time(queue_id):
        return route()
    if not hours.is_open(offers.cached_queue(queue_id), clock.now()):
        return 0
    count = 0
    for doc in get_db().interactions.find({"status": "queued", "is_open": True, "queue_id": queue_id}, {"_id": 1}):
        updated = get_db().interactions.find_one_and_update(
            {"_id": doc["_id"], "status": "queued", "is_open": True},
            {"$inc": {"seq": 1}},
            projection={"search_terms": 0},
            return_document=ReturnDocument.AFTER,
        )
        if updated:
            live.publish(updated, "offer", {"interaction": offers.card(updated)}, extra_agent_ids=offers.offer_targets(updated))
            count += 1
    return count


def tick(grace_seconds):
    """The periodic part: agents without a socket past the grace period go Offline (their offers
    move on), and offers whose time ran out move on."""
    gone = agent_status.sweep(grace_seconds)
    return {"offline": len(gone), "offers": route()}


def run_round():
    now = clock.now()
    queues_by_id = {
        queue["_id"]: queue
        for queue in offers.one_at_a_time_queues()
        if hours.is_open(offers.cached_queue(queue["_id"]), now)  # a closed queue's interactions wait
    }
    if not queues_by_id:
        return 0
    waiting = list(
        get_db()
        .interactions.find(
            {
                "status": "queued",
                "is_open": True,
                "queue_id": {"$in": list(queues_by_id)},
            },
            {
                "queue_id": 1,
                "offer": 1,
                "offer_skipped": 1,
                "rejected_by": 1,
                "queued_at": 1,
                "created_at": 1,
                "reopened_at": 1,
            },
        )
        .sort("queued_at", 1)
        .limit(ROUND_LIMIT)
    )
    if not waiting:
        return 0
    state = _Agents(queues_by_id, waiting)
    waiting.sort(
        key=lambda doc: (
            -offers.priority_of(queues_by_id[doc["queue_id"]]),
            offers.waiting_since(doc),
        )
    )
    made = 0
    for doc in waiting:
        made += _route_one(doc, queues_by_id[doc["queue_id"]], state)
    return made


class _Agents:
    """What a round knows of the agents: who is available, their limits per queue, their load, their
    last assignment; the load grows as the round makes offers."""

    def __init__(self, queues_by_id, waiting):
        self.now = clock.now()
        self.members = {queue_id: offers.queue_agent_ids(queue_id) for queue_id in queues_by_id}
        everyone = list(dict.fromkeys(agent for members in self.members.values() for agent in members))
        self.available = presence.available(everyone)
        self.limits = {queue_id: offers.agent_limits(self.members[queue_id], queue) for queue_id, queue in queues_by_id.items()}
        self.load = capacity.open_counts(self.available)
        for doc in waiting:
            holder = self.live_holder(doc)
            if holder:
                self.load[holder] = self.load.get(holder, 0) + 1
        self.last = offers.last_assigned(self.available)
        self.names = {  # the name each offer shows, read once a round
            str(user["_id"]): user.get("name")
            for user in get_db().users.find({"_id": {"$in": [offers.object_id(a) for a in self.available]}}, {"name": 1})
        }

    def live_holder(self, doc):
        """The agent holding the interaction's offer, if it has not run out and they are available."""
        offer = doc.get("offer") or {}
        holder = str(offer["agent_id"]) if offer.get("agent_id") else None
        if holder and holder in self.available and clock.aware(offer["expires_at"]) > self.now:
            return holder
        return None

    def eligible(self, queue_id, passed):
        limits = self.limits[queue_id]
        return [
            agent
            for agent in self.members[queue_id]
            if agent in self.available
            and agent not in passed
            and (limits.get(agent) is None or self.load.get(agent, 0) < limits[agent])
        ]


def _route_one(doc, queue, agents):
    if agents.live_holder(doc):
        return 0
    offer = doc.get("offer") or {}
    holder = str(offer["agent_id"]) if offer.get("agent_id") else None
    timed_out = holder is not None and holder in agents.available  # still there: their time ran out
    rejected = {str(agent) for agent in doc.get("rejected_by") or []}
    skipped = [str(agent) for agent in doc.get("offer_skipped") or []]
    if timed_out and holder not in skipped:
        skipped.append(holder)
    eligible = agents.eligible(doc["queue_id"], rejected | set(skipped))
    if not eligible and skipped:
        skipped = []  # everyone had their turn: start again, the one who just let it pass last
        eligible = agents.eligible(doc["queue_id"], rejected)
    chosen = _pick(offers.strategy_of(queue), queue, eligible, agents, holder)
    if chosen is None:
        if holder:
            _withdraw(doc, holder)
        return 0
    if _offer(doc, queue, (chosen, agents.names.get(chosen)), holder, skipped, agents.now):
        agents.load[chosen] = agents.load.get(chosen, 0) + 1
        return 1
    return 0


def _pick(strategy, queue, eligible, agents, holder):
    if not eligible:
        return None
    if len(eligible) > 1 and holder in eligible:
        eligible = [agent for agent in eligible if agent != holder]
    order = {agent: position for position, agent in enumerate(agents.members[queue["_id"]])}
    if strategy == "round_robin":
        return _next_in_turn(queue, eligible, order)
    if strategy == "fewest_open":
        return min(
            eligible,
            key=lambda agent: (
                agents.load.get(agent, 0),
                agents.last.get(agent, 0),
                order[agent],
            ),
        )
    return min(eligible, key=lambda agent: (agents.last.get(agent, 0), order[agent]))


def _next_in_turn(queue, eligible, order):
    """The first eligible agent after the one the queue offered to last, in the queue's member order."""
    try:
        last = queues.get_redis().hget(ROUND_ROBIN_KEY, str(queue["_id"]))
    except RedisError:
        last = None
    start = order.get(last.decode(), -1) if last else -1
    members = len(order)
    return min(eligible, key=lambda agent: (order[agent] - start - 1) % members)


def _offer(doc, queue, agent, holder, skipped, now):
    """Offer `doc` to `agent` (id, name) unless its offer changed hands meanwhile."""
    agent_id, agent_name = agent
    timeout = ((queue.get("routing") or {}).get("offer_timeout_seconds")) or DEFAULT_OFFER_TIMEOUT
    updated = get_db().interactions.find_one_and_update(
        {"_id": doc["_id"], "status": "queued", "is_open": True, **_held_by(holder)},
        {
            "$set": {
                "offer": {
                    "agent_id": offers.object_id(agent_id),
                    "agent_name": agent_name,
                    "at": now,
                    "expires_at": now + timedelta(seconds=timeout),
                },
                "offer_skipped": [offers.object_id(agent) for agent in skipped],
            },
            "$inc": {"seq": 1},
        },
        projection={"search_terms": 0},
        return_document=ReturnDocument.AFTER,
    )
    if updated is None:
        return False  # accepted, closed or offered by a racing round meanwhile
    try:
        queues.get_redis().hset(ROUND_ROBIN_KEY, str(queue["_id"]), agent_id)
    except RedisError:
        pass  # the next turn starts from the first member
    told = [agent_id] + ([holder] if holder and holder != agent_id else [])
    live.publish(
        updated,
        "offer",
        {
            "interaction": offers.card(updated),
            "offered_to": [agent_id],
            "timeout_seconds": timeout,
        },
        told,
    )
    return True


def _held_by(holder):
    """The filter of an interaction whose offer is (still) `holder`'s, or that has none."""
    return {"offer.agent_id": offers.object_id(holder)} if holder else {"offer": None}


def _withdraw(doc, holder):
    """No one can take the offer over: it goes back to waiting for the next available agent."""
    updated = get_db().interactions.find_one_and_update(
        {"_id": doc["_id"], "status": "queued", "offer.agent_id": offers.object_id(holder)},
        {"$set": {"offer": None}, "$inc": {"seq": 1}},
        projection={"search_terms": 0},
        return_document=ReturnDocument.AFTER,
    )
    if updated is not None:
        live.publish(
            updated,
            "offer_withdrawn",
            {"agent_id": holder, "interaction": offers.card(updated)},
            [holder],
        )
