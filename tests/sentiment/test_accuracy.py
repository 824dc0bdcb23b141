"""Accuracy on the labelled messages in tests/data/sentiment/, per language, on both sets.

The tuning set is where the lexicon and constants were chosen, so its figure is optimistic; the
held-out set was written before the rule and is never tuned on, so its figure is the one that
says how the rule does on messages it has not seen. Held-out must stay at 80% or more in each
language; the tuning floor of 90% catches a change that breaks what the rule was built on.
Both figures are printed (`pytest -s` or `-rP`) and appear in a failure's message.
"""

import pytest

from app.services.analysis import sentiment
from bench.sentiment_accuracy import LANGUAGES, correct, labelled

FLOORS = {"tuning": 0.90, "held-out": 0.80}


@pytest.mark.parametrize("language", LANGUAGES)
def test_accuracy_on_the_tuning_and_held_out_sets(language):
    figures = {}
    for which in FLOORS:
        rows = labelled(language, which)
        assert len(rows) >= 50 and {label for label, _ in rows} == set(sentiment.LABELS), which
        figures[which] = (correct(rows, language), len(rows))
    report = ", ".join(f"{which} {right}/{total} = {right / total:.0%}" for which, (right, total) in figures.items())
    print(f"sentiment accuracy {language}: {report}")
    for which, (right, total) in figures.items():
        assert right / total >= FLOORS[which], f"{language} {which} below {FLOORS[which]:.0%}: {report}"


def test_the_held_out_set_shares_no_message_with_the_tuning_set():
    for language in LANGUAGES:
        tuning = {text for _, text in labelled(language, "tuning")}
        assert not tuning & {text for _, text in labelled(language, "held-out")}, language
