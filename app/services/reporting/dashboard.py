"""The supervisors' dashboard: live counters per queue, today's figures, ingestion lag, job backlog,
the AI assistant's figures.

A handful of bounded, index-served reads per refresh (queues, users, open interactions, today's
interactions, interactions closed today, the assistant's interactions of the last week; from Redis
the latest customer messages pushed to agents) and the figures computed in Python, because the
embedded engine lacks the percentile and date operators. "Today" is the UTC day. Times are in seconds.
"""

from datetime import UTC, datetime, timedelta

from redis.exceptions import RedisError

from app import queues as rq_queues
from app.db import get_db
from app.realtime.push import online_user_ids
from app.services import clock
from app.services.channel import inbox
from app.services.conversations.live import recent_arrivals
from app.services.reading.interaction_list import aware
from app.services.routing import presence

SENTIMENTS = ("Positive", "Neutral", "Mixed", "Negative")
WAIT_ALERT_SECONDS = 300
LAG_WINDOW = timedelta(hours=1)
# Why the assistant let an interaction go, by the trigger recorded in its `handoff`.
HANDOFF_TRIGGERS = {
    "model": "The assistant decided",
    "asked": "Customer asked for a person",
    "media": "Media the assistant cannot read",
    "turns": "Answers spent",
    "tokens": "Tokens spent",
    "failure": "Endpoint failed",
    "withheld": "Answer withheld",
    "off": "Assistant turned off",
    "agents": "An agent came online",
    "hours": "Business hours began",
    "takeover": "Taken over by an agent",
}
TOKEN_DAYS = 7  # the assistant's tokens are shown per day over the last week, today included


def percentile(values, fraction):
    """Nearest-rank percentile of `values` (None when empty)."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, -(-len(ordered) * fraction // 1))
    return ordered[int(rank) - 1]


def spread(values):
    return {"count": len(values), "median": percentile(values, 0.5), "p90": percentile(values, 0.9)}


def _seconds(later, earlier):
    later, earlier = aware(later), aware(earlier)
    if later is None or earlier is None:
        return None
    return max(0.0, (later - earlier).total_seconds())


def _parse(text):
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        return None


def queue_counters(open_docs, queue_docs, online, now, alert_after):
    """Per queue: waiting, open (taken), agents of the queue online, longest wait and whether it is too long."""
    rows = []
    for queue in queue_docs:
        mine = [doc for doc in open_docs if doc.get("queue_id") == queue["_id"]]
        waits = [_seconds(now, doc.get("reopened_at") or doc.get("created_at")) for doc in mine if doc["status"] == "queued"]
        longest = max((w for w in waits if w is not None), default=None)
        rows.append(
            {
                "id": str(queue["_id"]),
                "name": queue["name"],
                "waiting": len(waits),
                "open": sum(1 for doc in mine if doc["status"] == "open"),
                "agents_online": sum(1 for agent_id in queue.get("agent_ids", []) if str(agent_id) in online),
                "agents": len(queue.get("agent_ids", [])),
                "longest_wait": longest,
                "alert": longest is not None and longest > alert_after,
            }
        )
    return rows


def hourly_volume(today_docs, day_start, now):
    counts = [0] * 24
    for doc in today_docs:
        created = aware(doc.get("created_at"))
        if created and created >= day_start:
            counts[min(23, int((created - day_start).total_seconds() // 3600))] += 1
    return [{"hour": hour, "count": count} for hour, count in enumerate(counts) if hour <= now.hour]


def agent_load(open_docs, closed_docs, users, online):
    """Per user who holds or handled something today: open now, closed today, online."""
    load = {}
    for doc in open_docs:
        if doc.get("agent_id") and doc["status"] == "open":
            load.setdefault(doc["agent_id"], {"open": 0, "closed_today": 0})["open"] += 1
    for doc in closed_docs:
        if doc.get("agent_id"):
            load.setdefault(doc["agent_id"], {"open": 0, "closed_today": 0})["closed_today"] += 1
    for user in users:
        if str(user["_id"]) in online and user.get("role") == "agent":
            load.setdefault(user["_id"], {"open": 0, "closed_today": 0})
    names = {user["_id"]: user["name"] for user in users}
    rows = [
        {"id": str(uid), "name": names.get(uid, "(removed user)"), "online": str(uid) in online, **counts}
        for uid, counts in load.items()
    ]
    return sorted(rows, key=lambda row: (-row["open"], -row["closed_today"], row["name"]))


def ingestion_lag(arrivals, since):
    """From the latest customer messages pushed to agents since `since`: provider timestamp → webhook
    received by Parley, and webhook received → pushed to agents (Parley's own processing)."""
    provider, processing = [], []
    for arrival in arrivals:
        pushed, received, sent_at = (_parse(arrival.get(k)) for k in ("pushed_at", "received_at", "sent_at"))
        if not pushed or pushed < since:
            continue
        if received and sent_at:
            provider.append(_seconds(received, sent_at))
        if received:
            processing.append(_seconds(pushed, received))
    return {"provider_to_parley": spread(provider), "parley_processing": spread(processing)}


def assistant_figures(bot_docs, day_start, days=TOKEN_DAYS):
    """From the interactions the AI assistant started since `days` - 1 days before today: today's
    bot-handled count, how many it handed over (rate and count per trigger), the average of its answers
    before a hand-over, and the tokens used per day (counted on the day the interaction started)."""
    today = [doc for doc in bot_docs if aware(doc["assistant"]["started_at"]) >= day_start]
    handed = [doc for doc in today if doc.get("handoff")]
    reasons = {}
    for doc in handed:
        trigger = doc["handoff"].get("trigger") or "unknown"
        reasons[trigger] = reasons.get(trigger, 0) + 1
    tokens = {(day_start - timedelta(days=back)).date(): 0 for back in range(days - 1, -1, -1)}
    for doc in bot_docs:
        started = aware(doc["assistant"].get("started_at"))
        if started and started.date() in tokens:
            tokens[started.date()] += int(doc["assistant"].get("tokens") or 0)
    turns = [int(doc["assistant"].get("turns") or 0) for doc in handed]
    return {
        "handled_today": len(today),
        "answering": sum(1 for doc in today if doc.get("status") == "bot"),
        "handed_over": len(handed),
        "handoff_rate": round(len(handed) / len(today), 3) if today else None,
        "handoff_reasons": dict(sorted(reasons.items(), key=lambda item: (-item[1], item[0]))),
        "turns_before_handoff": round(sum(turns) / len(turns), 2) if turns else None,
        "tokens_today": tokens[day_start.date()],
        "tokens_per_day": [{"day": day.isoformat(), "tokens": count} for day, count in tokens.items()],
    }


def _arrivals():
    try:
        return recent_arrivals()
    except RedisError:
        return []  # the lag shows as unknown (no sample) rather than failing the dashboard


def job_backlog():
    """RQ jobs waiting per queue (None when Redis does not answer)."""
    depth = {}
    for name in rq_queues.QUEUE_NAMES:
        try:
            depth[name] = rq_queues.get_queue(name).count
        except Exception:  # noqa: BLE001 - the dashboard shows "unknown" rather than failing
            depth[name] = None
    return depth


def inbox_backlog():
    """Accepted webhook events the workers have not applied yet, and how long the oldest has waited."""
    try:
        pending, oldest = inbox.backlog()
    except Exception:  # noqa: BLE001 - as job_backlog: "unknown" rather than failing
        return {"pending": None, "oldest_seconds": None}
    return {"pending": pending, "oldest_seconds": oldest}


def summary(alert_after=WAIT_ALERT_SECONDS):
    """Everything the dashboard shows, JSON-ready apart from datetimes."""
    db = get_db()
    now = clock.now()
    day_start = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    online = presence.available(online_user_ids())  # Online and connected: a Paused agent takes nothing
    fields = {
        "status": 1,
        "queue_id": 1,
        "agent_id": 1,
        "created_at": 1,
        "reopened_at": 1,
        "accepted_at": 1,
        "closed_at": 1,
        "first_response_at": 1,
        "sentiment": 1,
    }
    queue_docs = list(db.queues.find({}, {"name": 1, "agent_ids": 1}, sort=[("name", 1)]))
    users = list(db.users.find({}, {"name": 1, "role": 1}, sort=[("name", 1)]))
    open_docs = list(db.interactions.find({"is_open": True}, fields))
    today_docs = list(db.interactions.find({"created_at": {"$gte": day_start}}, fields))
    closed_docs = list(db.interactions.find({"closed_at": {"$gte": day_start}}, fields))
    bot_docs = list(db.interactions.find({"assistant.started_at": {"$gte": day_start - timedelta(days=TOKEN_DAYS - 1)}},
                                         {"status": 1, "assistant": 1, "handoff": 1}))
    first_response = [_seconds(d.get("first_response_at"), d.get("created_at")) for d in today_docs if d.get("first_response_at")]
    handling = [_seconds(d.get("closed_at"), d.get("accepted_at")) for d in closed_docs if d.get("accepted_at")]
    sentiment = dict.fromkeys(SENTIMENTS, 0)
    for doc in today_docs:
        if doc.get("sentiment") in sentiment:
            sentiment[doc["sentiment"]] += 1
    queue_rows = queue_counters(open_docs, queue_docs, online, now, alert_after)
    return {
        "generated_at": now,
        "day_start": day_start,
        "alert_after": alert_after,
        "totals": {
            "waiting": sum(q["waiting"] for q in queue_rows),
            "open": sum(q["open"] for q in queue_rows),
            "agents_online": sum(1 for u in users if u.get("role") == "agent" and str(u["_id"]) in online),
            "today": len(today_docs),
            "closed_today": len(closed_docs),
        },
        "queues": queue_rows,
        "hourly": hourly_volume(today_docs, day_start, now),
        "first_response": spread([v for v in first_response if v is not None]),
        "handling": spread([v for v in handling if v is not None]),
        "sentiment": sentiment,
        "agents": agent_load(open_docs, closed_docs, users, online),
        "ingestion": ingestion_lag(_arrivals(), now - LAG_WINDOW),
        "jobs": job_backlog(),
        "inbox": inbox_backlog(),
        "assistant": assistant_figures(bot_docs, day_start),
    }


def csv_rows(data):
    """The summary as (section, name, metric, value) rows for a CSV download."""
    rows = [("section", "name", "metric", "value"), ("generated", "", "at", data["generated_at"].isoformat())]
    rows += [("total", "", key, value) for key, value in data["totals"].items()]
    for queue in data["queues"]:
        rows += [("queue", queue["name"], key, queue[key]) for key in ("waiting", "open", "agents_online", "longest_wait")]
    rows += [("hour", f"{h['hour']:02d}:00", "interactions", h["count"]) for h in data["hourly"]]
    for name in ("first_response", "handling"):
        rows += [("time", name, f"{key}_seconds" if key != "count" else key, value) for key, value in data[name].items()]
    rows += [("sentiment", name, "interactions", count) for name, count in data["sentiment"].items()]
    for agent in data["agents"]:
        rows += [("agent", agent["name"], key, agent[key]) for key in ("open", "closed_today", "online")]
    for name, figures in data["ingestion"].items():
        rows += [("ingestion", name, f"{key}_seconds" if key != "count" else key, value) for key, value in figures.items()]
    rows += [("jobs", name, "waiting", depth) for name, depth in data["jobs"].items()]
    rows += [("inbox", "webhook events", key, value) for key, value in data["inbox"].items()]
    bot = data["assistant"]
    rows += [("assistant", "today", key, bot[key])
             for key in ("handled_today", "answering", "handed_over", "handoff_rate", "turns_before_handoff", "tokens_today")]
    rows += [("assistant", "handoff", trigger, count) for trigger, count in bot["handoff_reasons"].items()]
    rows += [("assistant", day["day"], "tokens", day["tokens"]) for day in bot["tokens_per_day"]]
    return [["" if value is None else value for value in row] for row in rows]


def handoff_trigger(trigger):
    """A hand-over trigger as the dashboard names it."""
    return HANDOFF_TRIGGERS.get(trigger, trigger)


def duration(seconds):
    """Seconds as the dashboard prints them: 45s, 3m 05s, 2h 10m; a dash when unknown."""
    if seconds is None:
        return "—"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60:02d}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60:02d}m"
