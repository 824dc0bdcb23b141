"""Sentiment of customer messages and the predominant sentiment of an interaction.

The model is a lexicon and a few rules (app/services/analysis/sentiment_lexicon.py), in English, Spanish,
Italian and Portuguese at once, so a message needs no language hint. Contact-center messages are
short and say what they mean with a small vocabulary (thanks, praise, broken, missing, late,
urgent), which a word list covers; a general-purpose sentence encoder read "Quick question about
delivery times" as a complaint and "is anyone there? This is urgent!" as praise.

The rule, per message:
- the text is cut into clauses (sentence punctuation, commas, and contrast words such as "but",
  "pero", "ma", "mas"), because a complaint and a compliment often share one message;
- in a clause, phrases are matched before words ("thanks in advance" and greetings weigh
  nothing, "still waiting" is a complaint); a negator ("not", "no", "non", "não", "nunca"…)
  turns the next three words around: "not happy" is a complaint, "not bad" faint praise, and
  what a customer expects ("arrived", "works", "answers") becomes a complaint when negated
  (in a message with Portuguese-only words, "no" is "in the" and negates nothing);
  an intensifier ("very", "muy", "molto", "muito"…) or a superlative ending ("rapidísima",
  "velocissima") makes a word count double;
- a clause's positive and negative sides are the sums of its positive and negative valences,
  divided by FULL and capped at 1; "??" adds an impatient clause of IMPATIENCE; a clause that
  only ends in a negator ("…, the wait was not") denies the praise of the clause before it;
- a question that asks where, how, when or whether ("Where do I send the broken phone?") counts
  its problem words at half: it asks for help rather than complains (a "why" question does not);
- the message's `positive` is its most positive clause (0 if none), `negative` its most
  negative one; a side is *strong* at STRONG or more. Mixed: both sides strong. Neutral:
  neither. Otherwise the stronger side wins.

Over an interaction (`predominant`), each customer message's scores are discounted by DECAY for
every customer message that came after it, and the interaction takes the largest discounted
positive and negative: recent messages weigh more, and an old outburst fades after a few calm
messages instead of marking the whole conversation. The same thresholds then give the label, so
an interaction with a strongly positive and a strongly negative recent message is Mixed.
"""

import math
import re
import unicodedata
from functools import cache

from app.services.analysis import sentiment_lexicon as lexicon

LABELS = ("Positive", "Neutral", "Mixed", "Negative")
FULL = 2.0  # summed valence of a clause that counts as full polarity (one "excellent", one "terrible")
STRONG = 0.5
MAX_SCORED_CHARS = 4096
DECAY = 0.85
# Scores are kept to 3 decimals and at most 1: a message followed by this many scored ones weighs
# under 0.0005, so it cannot change the label or the rounded figures: only the latest count.
RELEVANT_MESSAGES = math.ceil(math.log(0.0005) / math.log(DECAY)) + 1
NEGATION_SCOPE = 3  # words after a negator that it turns around
INTENSITY = 2.0
IMPATIENCE = 0.5  # negative side of a message with "??" in it
QUESTION_DAMPING = 0.5  # a problem word in a where/how/can-I question counts half
EXPECTED_UNMET = -1.5  # valence of an expected outcome that is negated ("never arrived")

_CLAUSE_BREAK = re.compile(
    r"[.!?;,\n]+|\b(?:but|however|although|though|pero|aunque|sin embargo|ma|però|tuttavia|mas|porém|entretanto|contudo)\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"[^\W_]+|[^\w\s'’\ufe0f]")
_PORTUGUESE = frozenset(lexicon.PORTUGUESE.split())
_ASKING = frozenset(lexicon.ASKING.split())
_WHY = frozenset(lexicon.WHY.split())
_NOT = re.compile(r"n['’]t\b", re.IGNORECASE)
_IMPATIENT = re.compile(r"\?\s*\?")
_SUPERLATIVE = ("isimo", "isima", "isimos", "isimas", "issimo", "issima", "issimi", "issime")  # "rapidísima": very fast


def _plain(text):
    """Lower case without accents, so typed-without-accents words match too."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def tokens(text):
    return _TOKEN.findall(_NOT.sub(" not", _plain(text)))


class _Words:
    """Exact words and `prefix*` patterns with their values; exact words win, then the longest prefix."""

    def __init__(self, entries):
        self.exact = {word: value for word, value in entries if not word.endswith("*")}
        self.prefixes = {}
        for word, value in entries:
            if word.endswith("*"):
                self.prefixes.setdefault(word[:-1], value)  # a prefix listed twice: its first value
        # a word is looked up by its own beginnings of each prefix length, longest first
        self.lengths = sorted({len(prefix) for prefix in self.prefixes}, reverse=True)

    def get(self, word):
        if word in self.exact:
            return self.exact[word]
        for length in self.lengths:
            if length <= len(word) and word[:length] in self.prefixes:
                return self.prefixes[word[:length]]
        return None


def _entries(tiers, sign):
    return [(word, sign * valence) for valence, words in tiers.items() for word in words.split()]


@cache
def _lexicon():
    valences = _Words(_entries(lexicon.POSITIVE, 1) + _entries(lexicon.NEGATIVE, -1))
    valences.exact.update({char: valence for valence, chars in lexicon.EMOJI.items() for char in chars})
    phrases = {tuple(tokens(phrase)): valence for phrase, valence in lexicon.PHRASES.items()}
    expected = _Words([(word, True) for word in lexicon.EXPECTED.split()])
    negators = dict.fromkeys(lexicon.NEGATORS.split(), NEGATION_SCOPE) | dict.fromkeys(lexicon.WITHOUT.split(), 1)
    return valences, phrases, expected, negators, set(lexicon.INTENSIFIERS.split())


def clause_valence(clause, negators):
    """(positive, negative) summed valences of one clause, both >= 0."""
    valences, phrases, expected, _, intensifiers = _lexicon()
    words = tokens(clause)
    longest = max(map(len, phrases))
    positive = negative = 0.0
    negated = intensified = 0
    index = 0
    while index < len(words):
        span = next((n for n in range(longest, 1, -1) if tuple(words[index : index + n]) in phrases), 1)
        word = words[index]
        valence = phrases.get(tuple(words[index : index + span])) if span > 1 else valences.get(word)
        if valence is None and negated and expected.get(word):
            valence = EXPECTED_UNMET
        elif valence:
            if intensified or (span == 1 and word.endswith(_SUPERLATIVE)):
                valence *= INTENSITY
            if negated:  # "not happy" is a complaint, "not bad" only faint praise
                valence = -valence if valence > 0 else -valence / 2
        if valence and valence > 0:
            positive += valence
        elif valence:
            negative -= valence
        negated, intensified = max(negated - span, 0), max(intensified - span, 0)
        if span == 1 and word in negators:
            negated = negators[word]
        if span == 1 and word in intensifiers:
            intensified = 2
        index += span
    return positive, negative


def _split(text):
    """(clause, whether a question mark ends it), split at punctuation and contrast words."""
    parts, start = [], 0
    for match in _CLAUSE_BREAK.finditer(text or ""):
        parts.append((text[start : match.start()].strip(), "?" in match.group()))
        start = match.end()
    parts.append(((text or "")[start:].strip(), False))
    return [(part, asked) for part, asked in parts if part]


def clauses(text):
    """The message's clauses, split at punctuation and contrast words."""
    return [part for part, _ in _split(text)]


def _clause_sides(text):
    """(positive, negative) per clause. A clause without praise that ends in a negator is the elliptical
    "the wait was not" / "la espera no" after a compliment: it denies the previous clause's praise."""
    negators = _lexicon()[3]
    if not _PORTUGUESE.isdisjoint(tokens(text)):
        negators = {word: scope for word, scope in negators.items() if word != "no"}  # "no" is "in the" there
    sides = []
    for part, asked in _split(text):
        positive, negative = clause_valence(part, negators)
        words = tokens(part)
        if asked and not _ASKING.isdisjoint(words[:2]) and words[0] not in _WHY:
            negative *= QUESTION_DAMPING  # "Where do I send the broken phone?" asks, it does not complain
        if sides and not positive and words and words[-1] in negators:
            negative = max(negative, sides[-1][0])
        sides.append((positive, negative))
    return sides


def label_for(positive, negative):
    strong_positive, strong_negative = positive >= STRONG, negative >= STRONG
    if strong_positive and strong_negative:
        return "Mixed"
    if not (strong_positive or strong_negative):
        return "Neutral"
    return "Positive" if positive >= negative else "Negative"


def score_text(text, language=None):
    """Score one message. `language` is recorded as given: the lexicon holds all four languages.
    Only the first MAX_SCORED_CHARS count (WhatsApp's limit on a text message)."""
    text = (text or "")[:MAX_SCORED_CHARS]
    sides = _clause_sides(text)
    positive = min(1.0, max((p for p, _ in sides), default=0.0) / FULL)
    negative = min(1.0, max((n for _, n in sides), default=0.0) / FULL)
    if _IMPATIENT.search(text or ""):
        negative = max(negative, IMPATIENCE)
    return {
        "label": label_for(positive, negative),
        "positive": round(positive, 3),
        "negative": round(negative, 3),
        "language": language,
    }


def predominant(message_scores):
    """The interaction's label from its customer messages' scores, oldest first."""
    summary = summarize(message_scores)
    return label_for(summary["positive"], summary["negative"])


def summarize(message_scores):
    """Largest recency-discounted positive and negative over the messages, oldest first."""
    positive = negative = 0.0
    count = len(message_scores)
    for index, score in enumerate(message_scores):
        weight = DECAY ** (count - 1 - index)
        positive = max(positive, weight * score["positive"])
        negative = max(negative, weight * score["negative"])
    return {"positive": round(positive, 3), "negative": round(negative, 3), "messages": count}
