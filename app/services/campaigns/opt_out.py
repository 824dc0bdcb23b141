"""A customer's "STOP": their number leaves every later campaign, until they write "START".

A message whose whole text is one of the opt-out words (in any case, with or without accents), or
a tap on a button titled with one (a template's "Unsubscribe", WhatsApp's "Stop promotions"), opts
its number out of marketing: the number is kept in `opt_outs` (what campaign expansion reads: the
number, so a contact added later to another list stays out too) and every contact holding it is
marked, so Contacts shows it. An opt-in word undoes both. Both are idempotent: a provider's
repeated delivery or a retried drain changes nothing more. A sentence with the word in it ("please
don't stop") is an ordinary message.
"""

import unicodedata

from app.db import get_db
from app.services import clock

# "Stop promotions" is the title of the opt-out button WhatsApp lets marketing templates carry.
DEFAULT_OUT = ("STOP", "STOPP", "UNSUBSCRIBE", "STOP PROMOTIONS", "ARRET", "PARAR", "PARE", "BAJA", "ANNULLA",
               "DESCADASTRAR", "ABMELDEN")
DEFAULT_IN = ("START", "UNSTOP")
#: The messages that can state a wish: a written one, or a tap on a button titled with the word.
KINDS = ("text", "template_reply", "button_reply")
#: Why a campaign leaves out a number that opted out.
SKIPPED = "Opted out of marketing messages."

_words = {"out": frozenset(), "in": frozenset()}


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text.strip().strip(".!").casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def configure(out_words=None, in_words=None):
    """The words (None: the defaults)."""
    _words["out"] = frozenset(map(_fold, out_words or DEFAULT_OUT))
    _words["in"] = frozenset(map(_fold, in_words or DEFAULT_IN))


configure()


def wish(text):
    """"out", "in", or None: what a customer's message asks of their marketing messages."""
    if not text or len(text) > 40:
        return None
    folded = _fold(text)
    return "out" if folded in _words["out"] else "in" if folded in _words["in"] else None


def apply(account_id, phone, text):
    """Record the customer's wish if their message states one; returns "out", "in" or None."""
    asked = wish(text)
    holding = {"$or": [{"phone": phone}, {"mobile": phone}]}
    if asked == "out":
        now = clock.now()
        get_db().opt_outs.update_one(
            {"_id": phone}, {"$setOnInsert": {"at": now, "account_id": account_id, "word": text.strip()}}, upsert=True
        )
        get_db().contacts.update_many(holding, {"$set": {"opted_out": True, "opted_out_at": now}})
    elif asked == "in":
        get_db().opt_outs.delete_one({"_id": phone})
        get_db().contacts.update_many(holding, {"$unset": {"opted_out": "", "opted_out_at": ""}})
    return asked


def opted_out(phones):
    """The numbers among `phones` that opted out."""
    return {doc["_id"] for doc in get_db().opt_outs.find({"_id": {"$in": list(phones)}}, {"_id": 1})}
