"""The per-message rule and the interaction's predominant sentiment."""

import pytest

from app.services import sentiment


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
    from app.services.sentiment import score_text

    for text in ("Ciao! Il mio ordine non è ancora arrivato", "Hi, my parcel arrived broken", "Hola, el pedido llegó roto"):
        assert score_text(text)["label"] == "Negative", text
    assert score_text("Thanks!")["label"] == "Positive"  # alone, a word still counts
