"""Search terms, kept with what they describe: an interaction's contact name and number on the
interaction, a message's words on the message (app/services/reading/interaction_search.py), so
searching is an indexed query (multikey indexes on `search_terms`) instead of a scan of every message.

Terms are lower-case words without accents, at least 2 characters; numbers are kept as digits.
A query matches interactions holding a term that starts with each of its words.
"""

import re
import unicodedata

WORD = re.compile(r"\w+", re.UNICODE)
MAX_TERM = 40
MAX_TERMS_PER_TEXT = 200


def _fold(text):
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


#: What of one text is read for terms: WhatsApp's own limit on a text message (a longer body, which
#: only a forged or broken webhook carries, is searchable by its start).
MAX_TEXT_CHARS = 4096


def terms(*texts):
    """The search terms of some texts (names, numbers, message bodies)."""
    found = []
    for text in texts:
        if not text:
            continue
        folded = _fold(str(text)[:MAX_TEXT_CHARS])
        digits = re.sub(r"\D", "", folded)
        if len(digits) >= 6 and re.fullmatch(r"[\d\s+()./-]+", folded.strip()):
            found.append(digits)  # a phone number: one term, typed in any format
            continue
        found.extend(word[:MAX_TERM] for word in WORD.findall(folded)[:MAX_TERMS_PER_TEXT] if len(word) >= 2)
    return list(dict.fromkeys(found))


def query_words(q):
    """The words of a search box entry, folded like the stored terms."""
    return terms(q)[:8]


def message_terms(message):
    """The search terms of a message of the conversation (the customer's, an agent's, the
    assistant's): its text, caption, chosen reply and shared place. Notes and system lines have none."""
    if message.get("direction") not in ("in", "out"):
        return []
    reply = message.get("reply") or {}
    return terms(message.get("text"), message.get("caption"), reply.get("title"), (message.get("location") or {}).get("name"))
