"""Accuracy on the labelled messages in tests/data/sentiment/ stays above a floor per language.

Four balanced labels make chance 25%, and VADER's English lexicon alone scores 28-34% on the
Spanish, Italian and Portuguese sets. The chosen model measured 72-91% (bench/RESULTS.md); the
floor of 65% allows about two messages of drift per language and still fails if a language falls
back towards lexicon-only levels.
"""

import pytest

from app.services import sentiment
from bench.sentiment_accuracy import LANGUAGES, labelled

FLOOR = 0.65


@pytest.mark.parametrize("language", LANGUAGES)
def test_accuracy_per_language_is_above_the_floor(language):
    rows = labelled(language)
    assert len(rows) >= 30 and {label for label, _ in rows} == set(sentiment.LABELS)
    correct = sum(sentiment.score_text(text, language)["label"] == label for label, text in rows)
    assert correct / len(rows) >= FLOOR, f"{language}: {correct}/{len(rows)}"
