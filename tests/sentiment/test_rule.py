"""The per-message rule and the interaction's predominant sentiment."""

import random

import pytest

from app.services.analysis import sentiment
from app.services.analysis import sentiment_lexicon as lexicon


def scores(*pairs):
    return [{"positive": p, "negative": n} for p, n in pairs]


def test_labels_from_strong_sides():
    assert sentiment.label_for(0.9, 0.8) == "Mixed"
    assert sentiment.label_for(0.9, 0.1) == "Positive"
    assert sentiment.label_for(0.2, 0.7) == "Negative"
    assert sentiment.label_for(0.3, 0.3) == "Neutral"


def test_a_strong_positive_and_a_strong_negative_message_make_the_interaction_mixed():
    assert sentiment.predominant(scores((1.0, 0.0), (0.0, 1.0))) == "Mixed"


def test_recent_messages_weigh_more_and_an_old_outburst_fades():
    angry_then_calm = scores((0.0, 1.0), *[(0.0, 0.0)] * 3)
    assert sentiment.predominant(angry_then_calm) == "Negative"
    assert sentiment.predominant(angry_then_calm + scores(*[(0.0, 0.0)] * 2)) == "Neutral"


def test_the_latest_relevant_messages_give_the_same_figures_as_all_of_them():
    """The job reads only the latest RELEVANT_MESSAGES scored messages: older ones weigh too little
    to change the rounded figures or the label, however long the conversation."""
    rng = random.Random(13)
    for length in (1, 47, 48, 49, 200, 1000):
        history = scores(*[(rng.choice((0.0, 1.0, rng.random())), rng.choice((0.0, 1.0, rng.random()))) for _ in range(length)])
        latest = history[-sentiment.RELEVANT_MESSAGES :]
        full, recent = sentiment.summarize(history), sentiment.summarize(latest)
        assert (full["positive"], full["negative"]) == (recent["positive"], recent["negative"]), length
    outburst_long_ago = scores((1.0, 1.0), *[(0.0, 0.0)] * (sentiment.RELEVANT_MESSAGES - 1))
    assert sentiment.summarize(outburst_long_ago)["positive"] == 0.0


def test_no_messages_is_neutral():
    assert sentiment.predominant([]) == "Neutral"
    assert sentiment.score_text("")["label"] == "Neutral"


@pytest.mark.parametrize(
    "text",
    [
        "What time do you open on Saturday?",
        "¿Me pueden decir el estado del pedido 48213?",
        "Potete dirmi lo stato dell'ordine 48213?",
        "Podem me informar o status do pedido 48213?",
    ],
)
def test_plain_questions_are_neutral(text):
    assert sentiment.score_text(text)["label"] == "Neutral"


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Thank you so much, everything works perfectly 😊", "Positive"),
        ("Worst service ever, I want my money back 😡", "Negative"),
        ("Excelente atención, muchas gracias!", "Positive"),
        ("Es una vergüenza, el teléfono llegó roto", "Negative"),
        ("Servizio eccellente, grazie mille!", "Positive"),
        ("Sono furioso, il pacco non è mai arrivato", "Negative"),
        ("Atendimento maravilhoso, muito obrigada!", "Positive"),
        ("Estou muito decepcionado, o celular chegou quebrado", "Negative"),
        ("Your staff is amazing but your website is awful", "Mixed"),
        ("Me encanta el plan nuevo 😍 pero la facturación es un desastre 😡", "Mixed"),
    ],
)
def test_examples_per_language(text, label):
    assert sentiment.score_text(text)["label"] == label


def test_score_shape():
    score = sentiment.score_text("Grazie mille!", language="it")
    assert set(score) == {"label", "positive", "negative", "language"}
    assert score["language"] == "it"
    assert 0.0 <= score["negative"] <= 1.0 and 0.0 <= score["positive"] <= 1.0


def test_a_greeting_beside_a_complaint_does_not_make_it_mixed():
    from app.services.analysis.sentiment import score_text

    for text in ("Ciao! Il mio ordine non è ancora arrivato", "Hi, my parcel arrived broken", "Hola, el pedido llegó roto"):
        assert score_text(text)["label"] == "Negative", text
    assert score_text("Thanks!")["label"] == "Positive"  # alone, a word still counts


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("Hi there, I love your products! Quick question about delivery times.", "Positive"),
        ("Hi, is anyone there? This is urgent!", "Negative"),
        ("the delivery came but one item is missing. Terrible experience.", "Negative"),
    ],
)
def test_the_plain_english_messages_from_the_defect_report(text, label):
    assert sentiment.score_text(text)["label"] == label


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("I'm happy with it", "Positive"),
        ("I'm not happy with it", "Negative"),
        ("Non sono contento", "Negative"),
        ("Não estou nada satisfeita", "Negative"),
        ("The order arrived", "Neutral"),
        ("The order never arrived", "Negative"),
        ("Il pacco non è ancora arrivato", "Negative"),
        ("no me llegó el pedido", "Negative"),
        ("nobody answers", "Negative"),
        ("not bad", "Neutral"),
        ("Ningún problema, muchas gracias", "Positive"),
    ],
)
def test_a_negator_turns_the_next_words_around(text, label):
    assert sentiment.score_text(text)["label"] == label


def test_accents_and_case_do_not_matter():
    for text in ("Pésimo servicio", "pesimo servicio", "PÉSIMO SERVICIO"):
        assert sentiment.score_text(text)["label"] == "Negative", text


def test_greetings_and_routine_politeness_weigh_nothing():
    for text in ("Buenas tardes, ¿abren el domingo?", "Thanks in advance, what are your opening hours?", "Bom dia!"):
        assert sentiment.score_text(text)["label"] == "Neutral", text


def test_impatience_and_urgency_are_negative():
    assert sentiment.score_text("hello?? where is my order")["label"] == "Negative"
    assert sentiment.score_text("URGENTE: necesito la factura")["label"] == "Negative"
    assert sentiment.score_text("where is my order?")["label"] == "Neutral"


def test_a_compliment_denied_by_a_trailing_negator_is_mixed():
    assert sentiment.score_text("The plumber was great, the wait was not")["label"] == "Mixed"
    assert sentiment.score_text("The plumber was great, the bill too")["label"] == "Positive"


def test_without_turns_around_only_the_next_word():
    assert sentiment.score_text("tres días sin internet")["label"] == "Negative"
    assert sentiment.score_text("tres semanas sin teléfono fue inaceptable")["label"] == "Negative"


def test_portuguese_no_is_in_the_not_a_negation():
    assert sentiment.score_text("meu pacote foi entregue no endereço errado")["label"] == "Negative"
    assert sentiment.score_text("o atendimento no geral foi ótimo")["label"] == "Positive"
    assert sentiment.score_text("no funciona el wifi")["label"] == "Negative"


def test_a_question_asking_for_help_is_not_a_complaint_but_why_is():
    assert sentiment.score_text("Where do I send the broken phone for repair?")["label"] == "Neutral"
    assert sentiment.score_text("¿Cómo devuelvo un producto dañado?")["label"] == "Neutral"
    assert sentiment.score_text("Why is my bill so high this month?")["label"] == "Negative"
    assert sentiment.score_text("The phone arrived broken")["label"] == "Negative"


def test_only_the_first_4096_characters_of_a_message_are_scored():
    """WhatsApp's limit on a text message: a forged body of megabytes costs no more than that."""
    praise = "Thank you, excellent service! "
    padded = praise + "x " * 10_000 + "This is terrible, still broken"
    assert sentiment.score_text(padded) == sentiment.score_text(praise + "x " * 10_000)
    assert sentiment.score_text(padded)["label"] == "Positive"


def test_a_word_takes_the_value_of_its_longest_listed_beginning():
    """The look-up by prefix length gives what reading every `prefix*` entry, longest first, gives."""
    entries = sentiment._entries(lexicon.POSITIVE, 1) + sentiment._entries(lexicon.NEGATIVE, -1)
    listed = [(word[:-1], value) for word, value in entries if word.endswith("*")]
    by_length = sorted(listed, key=lambda entry: -len(entry[0]))  # stable: a prefix listed twice keeps its first value
    words = sentiment._Words(entries)
    for prefix, _ in listed:
        for word in (prefix, prefix + "issimo", prefix[:-1]):
            if word in words.exact:
                continue
            expected = next((value for known, value in by_length if word.startswith(known)), None)
            assert words.get(word) == expected, word
