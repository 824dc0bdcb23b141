"""Accuracy of message sentiment on the labelled customer messages in tests/data/sentiment/.

Prints per-language accuracy of the chosen model and, for comparison, of VADER alone (English
lexicon), then writes the "sentiment" section of bench/RESULTS.md.

    python bench/sentiment_accuracy.py
"""

import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from app.services import sentiment  # noqa: E402
from bench.results import write_section  # noqa: E402

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "sentiment"
LANGUAGES = ("en", "es", "it", "pt")


def labelled(language):
    """(label, text) pairs of one language's file; lines starting with # are comments."""
    rows = []
    for line in (DATA / f"{language}.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            label, text = line.split("\t", 1)
            rows.append((label, text))
    return rows


def accuracy(predict, rows):
    return sum(predict(text) == label for label, text in rows) / len(rows)


def vader_alone():
    """VADER's own compound score per clause, with the same Mixed/Neutral rule."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    analyzer = SentimentIntensityAnalyzer()

    def predict(text):
        scores = [analyzer.polarity_scores(part)["compound"] for part in sentiment.clauses(text)] or [0.0]
        return sentiment.label_for(max(0.0, max(scores)), max(0.0, -min(scores)))

    return predict


def main():
    started = time.perf_counter()
    sentiment.score_text("warm-up")
    load_seconds = time.perf_counter() - started
    chosen = lambda text: sentiment.score_text(text)["label"]  # noqa: E731
    baseline = vader_alone()
    rows, confusion, timings = [], Counter(), []
    for language in LANGUAGES:
        data = labelled(language)
        started = time.perf_counter()
        for label, text in data:
            confusion[(label, chosen(text))] += 1
        timings.append((time.perf_counter() - started) / len(data))
        rows.append((language, len(data), accuracy(chosen, data), accuracy(baseline, data)))

    lines = ["| language | messages | chosen model | VADER alone |", "|---|---|---|---|"]
    lines += [f"| {lang} | {n} | {acc:.0%} | {base:.0%} |" for lang, n, acc, base in rows]
    total = sum(n for _, n, _, _ in rows)
    overall = sum(acc * n for _, n, acc, _ in rows) / total
    lines.append(f"| all | {total} | {overall:.0%} | {sum(b * n for _, n, _, b in rows) / total:.0%} |")
    labels = sentiment.LABELS
    matrix = ["| gold \\ predicted | " + " | ".join(labels) + " |", "|---" * (len(labels) + 1) + "|"]
    matrix += [f"| {gold} | " + " | ".join(str(confusion[(gold, p)]) for p in labels) + " |" for gold in labels]
    body = "\n".join(
        [
            "`python bench/sentiment_accuracy.py` — four labels (Positive, Neutral, Mixed, Negative), "
            "8 hand-labelled contact-center messages per label and language in tests/data/sentiment/. "
            "Chosen model: multilingual Universal Sentence Encoder with polarity directions from VADER's "
            "lexicon (app/services/sentiment.py). VADER alone: VADER's compound score per clause, same rule.",
            "",
            *lines,
            "",
            "Confusion over all languages (chosen model):",
            "",
            *matrix,
            "",
            f"Model load (first call in a process): {load_seconds:.2f} s; "
            f"then {1000 * sum(timings) / len(timings):.1f} ms per message.",
        ]
    )
    print(body)
    write_section("sentiment", "Message sentiment accuracy", body)


if __name__ == "__main__":
    main()
