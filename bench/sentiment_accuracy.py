"""Accuracy of message sentiment on the labelled customer messages in tests/data/sentiment/.

Two figures per language: on the tuning set (tests/data/sentiment/<language>.tsv), where the
lexicon's words and the rule's constants were chosen, and on the held-out set
(tests/data/sentiment/held_out/<language>.tsv), written before the rule and never tuned on. The
held-out figure is the one to expect on unseen messages. Writes the "sentiment" section of
bench/RESULTS.md.

    python bench/sentiment_accuracy.py
"""

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.services.analysis import sentiment  # noqa: E402
from bench.results import write_section  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "sentiment"
SETS = {"tuning": DATA, "held-out": DATA / "held_out"}
LANGUAGES = ("en", "es", "it", "pt")


def labelled(language, which="tuning"):
    """(label, text) pairs of one language's file in the tuning or held-out set; # lines are comments."""
    rows = []
    for line in (SETS[which] / f"{language}.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t", 1)
            rows.append((label, text))
    return rows


def predictions(rows, language):
    """(hand label, rule's label) per row."""
    return [(label, sentiment.score_text(text, language)["label"]) for label, text in rows]


def correct(rows, language):
    return sum(gold == predicted for gold, predicted in predictions(rows, language))


def main():
    table = ["| language | tuning | held-out |", "|---|---|---|"]
    confusion, started, scored = Counter(), time.perf_counter(), 0
    for language in LANGUAGES:
        cells = []
        for which in SETS:
            pairs = predictions(labelled(language, which), language)
            right = sum(gold == predicted for gold, predicted in pairs)
            cells.append(f"{right}/{len(pairs)} = {right / len(pairs):.0%}")
            scored += len(pairs)
            if which == "held-out":
                confusion.update(pairs)
        table.append(f"| {language} | " + " | ".join(cells) + " |")
    per_message = 1000 * (time.perf_counter() - started) / scored
    labels = sentiment.LABELS
    matrix = ["| gold \\ predicted | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    matrix += [f"| {gold} | " + " | ".join(str(confusion[(gold, p)]) for p in labels) + " |" for gold in labels]
    body = "\n".join(
        [
            "`python bench/sentiment_accuracy.py` — four labels (Positive, Neutral, Mixed, Negative) on "
            "hand-labelled contact-center messages. Tuning: tests/data/sentiment/<language>.tsv, where the "
            "lexicon and constants of app/services/analysis/sentiment.py were chosen. Held-out: "
            "tests/data/sentiment/held_out/<language>.tsv, written before the rule and never tuned on.",
            "",
            *table,
            "",
            "Confusion on the held-out set, all languages:",
            "",
            *matrix,
            "",
            f"{per_message:.2f} ms per message; nothing to load.",
        ]
    )
    print(body)
    write_section("sentiment", "Message sentiment accuracy", body)


if __name__ == "__main__":
    main()
