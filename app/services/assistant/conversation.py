"""The assistant in a conversation: a customer's message on a bot-handled interaction gets one
answer (in a job, after the customer pauses), sent through the normal outbound path as a "bot"
message, or the interaction goes to the queue with a system line saying why.

The interaction keeps `assistant` {turns, tokens, answered, started_at} and, once handed over, `handoff`
{reason, trigger, at}. Every write is conditional on status "bot": an agent's take-over stops the
assistant at once, whatever it was generating.
"""

import logging

from app import jobs
from app.db import get_db
from app.domain import messages as msgs
from app.domain.interaction_shapes import TEXT_MAX
from app.domain.shapes import DEFAULT_HANDOFF_MESSAGE
from app.services import clock
from app.services.assistant import chat_api, prompt, rules, settings
from app.services.channel.accounts import cached_account
from app.services.conversations import business_messages, lifecycle, live, message_store, routing
from app.services.routing import hours, queue_settings
from app.services.serialize import plain

log = logging.getLogger(__name__)

BOT = "bot"
HISTORY = 40  # the latest messages the model sees
WITHHELD = "The assistant's answer was withheld: it quoted its instructions or key."


def first_status(account):
    """The status of a customer's new interaction on `account`: "bot" while its assistant runs."""
    chatbot = prompt.chatbot_of(account)
    return BOT if rules.runs_now(chatbot, _agents_online(account, chatbot), _handed_out_of_hours(account)) else "queued"


def _agents_online(account, chatbot):
    """Whether one of the account queue's agents is online (asked only when the assistant runs outside agents' hours)."""
    if chatbot.get("runs") != rules.NO_AGENTS_ONLINE:
        return False
    return bool(routing.online_agent_ids(account.get("queue_id")))


def _handed_out_of_hours(account):
    """Whether the account's queue is closed now (business hours) and hands such conversations to the assistant."""
    queue = routing.cached_queue(account.get("queue_id"))
    return bool(queue) and queue_settings.hours_of(queue)["out_of_hours_to_bot"] and not hours.is_open(queue, clock.now())


def fresh_state(now):
    """The counters of a new bot-handled interaction; `started_at` is what the dashboard counts it by."""
    return {"turns": 0, "tokens": 0, "started_at": now}


def customer_wrote(interaction, message):
    """After a customer's message is stored: a bot-handled interaction's answer is queued, after the
    debounce, so a burst of messages gets one answer (each job answers only the latest message)."""
    if interaction.get("status") != BOT:
        return None
    return jobs.enqueue(jobs.ANSWER_CUSTOMER, delay=settings.debounce() or None,
                        interaction_id=str(interaction["_id"]), message_id=message["id"])


def answer(interaction_id, message_id):
    """Answer the customer's message `message_id`, or hand over; returns what happened."""
    interaction = get_db().interactions.find_one({"_id": interaction_id}, {"search_terms": 0})
    if interaction is None or interaction.get("status") != BOT or not interaction.get("is_open"):
        return "not-bot"
    trigger = message_store.get(interaction_id, message_id)
    if trigger is None or _superseded(interaction, trigger):
        return "superseded"
    state = interaction.get("assistant") or {}
    if state.get("answered") == message_id:
        return "answered-already"
    account = cached_account(interaction["account_id"])
    chatbot = prompt.chatbot_of(account or {})
    history = list(reversed(message_store.page(interaction_id, limit=HISTORY)))
    before = _before_asking(chatbot, state, _since_last_answer(history), _agents_online(account or {}, chatbot),
                            _handed_out_of_hours(account or {}))
    if before:
        return hand_over(interaction, *before, chatbot)
    try:
        completion = chat_api.complete(chatbot["endpoint"], chatbot["model"], prompt.api_key_of(account),
                                       prompt.chat_messages(chatbot, _turns(reversed(history))))
    except chat_api.AssistantUnavailable as exc:
        log.warning("assistant of account %s failed for interaction %s: %s", account["_id"], interaction_id, exc)
        return hand_over(interaction, f"The assistant could not answer: {exc}", "failure", chatbot)
    get_db().interactions.update_one({"_id": interaction_id}, {"$inc": {"assistant.tokens": completion.tokens}})
    if completion.handoff:
        return hand_over(interaction, f"The assistant handed over: {completion.handoff}", "model", chatbot)
    if not completion.text:
        return hand_over(interaction, "The assistant gave an empty answer.", "failure", chatbot)
    fresh = get_db().interactions.find_one({"_id": interaction_id}, {"last_inbound_provider_id": 1})
    if _superseded(fresh, trigger):  # the customer wrote again meanwhile: that message's job answers both
        return "superseded"
    if rules.leaks(completion.text, prompt.api_key_of(account), chatbot["instructions"]):
        return hand_over(interaction, WITHHELD, "withheld", chatbot)
    posted = post(interaction_id, completion.text[:TEXT_MAX], counted=True, answered=message_id)
    return "answered" if posted else "taken-over"


def _before_asking(chatbot, state, pending, agents_online, handed_out_of_hours):
    """(reason, trigger) when the interaction goes to an agent without asking the model, else None."""
    if not rules.enabled(chatbot):
        return "The assistant is turned off.", "off"
    if not rules.runs_now(chatbot, agents_online, handed_out_of_hours):
        if chatbot.get("runs") == rules.OUT_OF_HOURS:
            return "The queue's business hours began.", "hours"
        return "An agent of the queue is online.", "agents"
    for message in pending:
        what = rules.unreadable(message)
        if what:
            return f"The customer sent {what}.", "media"
    if any(rules.asks_for_person(message.get("text") or message.get("caption")) for message in pending):
        return "The customer asked for a person.", "asked"
    if state.get("turns", 0) >= chatbot["max_turns"]:
        return f"The assistant gave its {chatbot['max_turns']} answers.", "turns"
    if state.get("tokens", 0) >= chatbot["max_tokens"]:
        return f"The assistant used its {chatbot['max_tokens']} tokens.", "tokens"
    return None


def _superseded(interaction, trigger):
    return (interaction or {}).get("last_inbound_provider_id") not in (None, trigger.get("provider_message_id"))


def _since_last_answer(history_newest_first):
    """The customer's messages after the latest outbound one (what this answer is about)."""
    pending = []
    for message in history_newest_first:
        if message.get("direction") == "out" and not message.get("hidden"):
            break
        if message.get("direction") == "in":
            pending.append(message)
    return pending


def _turns(history):
    """(role, text) of the customer-visible messages, oldest first: no notes, system lines or reactions."""
    turns = []
    for message in history:
        if message.get("hidden") or message.get("direction") not in ("in", "out"):
            continue
        text = message.get("text") or message.get("caption") or (message.get("reply") or {}).get("title")
        if message.get("template"):
            text = ((message["template"].get("rendered") or {}).get("body")) or text
        turns.append(("user" if message["direction"] == "in" else "assistant", text or f"[{message.get('kind')}]"))
    return turns


def post(interaction_id, text, counted=False, answered=None, require_bot=True):
    """Store a bot message on the interaction (while it is still the bot's) and queue its sending
    through the normal delivery job. The stored message, or None when an agent took over meanwhile."""
    key = {"_id": interaction_id, **({"status": BOT} if require_bot else {})}
    return business_messages.post_text(key, text, BOT, changes={"assistant.answered": answered} if answered else None,
                                       counters={"assistant.turns": int(counted)})


def hand_over(interaction, reason, trigger, chatbot):
    """The interaction goes to the queue, offered as usual, with a system line saying why; the customer
    gets the hand-off message first. "taken-over" when an agent has it already."""
    if post(interaction["_id"], chatbot.get("handoff_message") or DEFAULT_HANDOFF_MESSAGE) is None:
        return "taken-over"
    now = clock.now()
    line = lifecycle.system_line(f"Handed over to the queue: {reason}")
    doc = lifecycle.append_line(
        {"_id": interaction["_id"], "status": BOT, "is_open": True},
        {"$set": {"status": "queued", "queued_at": now, "offer": None, "updated_at": now,
                  "handoff": {"reason": reason, "trigger": trigger, "at": now}},
         "$inc": {"seq": 1, "messages_len": 1}},
        line,
    )
    if doc is None:
        return "taken-over"
    # Outside the queue's business hours it waits unoffered, as a customer's new interaction would.
    offered = hours.is_open(routing.cached_queue(doc.get("queue_id")), now)
    live.publish(doc, "offer" if offered else "message",
                 {"message": plain(msgs.with_position(line, doc)), "interaction": routing.card(doc)},
                 extra_agent_ids=routing.offer_targets(doc) if offered else ())
    if offered and routing.one_at_a_time(doc.get("queue_id")):
        routing.route_soon()
    return f"handed-over:{trigger}"
